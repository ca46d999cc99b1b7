import Foundation

/// A value only reachable under its lock, with a condition variable to wait on it.
///
/// Every change goes through `withLock`, which wakes all waiters afterwards; a waiter re-checks
/// its predicate on the state under the lock, so no wake-up can be missed and a spurious one
/// costs only a check. No `inout` access spans a wait: the state is handed out only after the
/// wait is over.
///
/// `@unchecked Sendable`: `state` is read and written only while `condition` is locked.
final class ConditionLocked<State: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with the state under the lock, then wakes every waiter.
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Waits until `isReady` holds for the state or `deadline` passes (nil: no deadline), then
    /// runs `body` with the state and whether it was ready, all under one hold of the lock.
    func withLock<Result>(
        when isReady: (State) -> Bool, deadline: Date? = nil, do body: (inout State, _ ready: Bool) throws -> Result
    ) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        var ready = isReady(state)
        while !ready {
            if let deadline {
                guard condition.wait(until: deadline) else {
                    ready = isReady(state)
                    break
                }
            } else {
                condition.wait()
            }
            ready = isReady(state)
        }
        return try body(&state, ready)
    }
}

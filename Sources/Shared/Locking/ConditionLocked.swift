#if canImport(Glibc)
import Glibc
#endif

/// A mutex and a condition variable (on the monotonic clock) that own the state they guard.
///
/// The state is reachable only inside `withLock`, so the compiler, not a comment, keeps every
/// access under the mutex (the `NIOLockedValueBox` shape). Waiting happens between two calls of
/// the body, never while it holds the state `inout`: see `withLock(waiting:)`.
package final class ConditionLocked<State> {
    /// What a `withLock(waiting:)` body asks for next.
    package enum Step<Result> {
        /// Release the lock and sleep until woken (`broadcast`) or until the monotonic deadline in
        /// microseconds (nil: no deadline); then the body runs again.
        case wait(untilMicroseconds: Int64?)
        /// Return `Result` from `withLock(waiting:)`.
        case done(Result)
    }

    private var state: State
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    package init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held and exclusive access to the state.
    package func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Runs `body` with the lock held until it returns `.done`; each `.wait` releases the lock
    /// while sleeping. `body` learns whether the previous wait ended at its deadline (`timedOut`),
    /// and sees the state afresh on every call, whatever other threads changed meanwhile.
    package func withLock<Result>(waiting body: (_ state: inout State, _ timedOut: Bool) -> Step<Result>) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var timedOut = false
        while true {
            switch body(&state, timedOut) {
            case .done(let result):
                return result
            case .wait(untilMicroseconds: nil):
                pthread_cond_wait(condition, mutex)
                timedOut = false
            case .wait(untilMicroseconds: let deadline?):
                var time = Clocks.deadlineTimespec(microseconds: deadline)
                timedOut = pthread_cond_timedwait(condition, mutex, &time) == ETIMEDOUT
            }
        }
    }

    /// Waits, with the lock released, until `isReady` holds for the state or the monotonic
    /// `deadline` (microseconds; nil: none) passes, then runs `body` under the same hold of the
    /// lock with whether the state was ready.
    package func withLock<Result>(
        when isReady: (State) -> Bool, untilMicroseconds deadline: Int64? = nil,
        do body: (inout State, _ ready: Bool) throws -> Result
    ) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var ready = isReady(state)
        while !ready {
            if let deadline {
                var time = Clocks.deadlineTimespec(microseconds: deadline)
                let timedOut = pthread_cond_timedwait(condition, mutex, &time) == ETIMEDOUT
                ready = isReady(state)
                if timedOut { break }
            } else {
                pthread_cond_wait(condition, mutex)
                ready = isReady(state)
            }
        }
        return try body(&state, ready)
    }

    /// Wakes every thread waiting in `withLock(waiting:)` or `withLock(when:)`. Callable with or
    /// without the lock.
    package func broadcast() {
        pthread_cond_broadcast(condition)
    }
}

// @unchecked Sendable: `state` is read and written only with `mutex` held.
extension ConditionLocked: @unchecked Sendable where State: Sendable {}

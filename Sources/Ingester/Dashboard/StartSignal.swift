import IngesterConfig
import Locking

/// How the dashboard server's start ended, told once to any number of waiters, who await it
/// without holding a thread: the address it listens on, or why it does not.
final class StartSignal: Sendable {
    typealias Outcome = Result<ListenAddress, DashboardServer.StartError>

    private enum State {
        case waiting([Int: CheckedContinuation<Outcome, Never>], nextID: Int)
        case ended(Outcome)
    }

    private let state = ConditionLocked(State.waiting([:], nextID: 0))

    /// Tells every waiter, and every later one, `outcome`; a second call changes nothing.
    func finish(_ outcome: Outcome) {
        state.withLock { state in
            guard case .waiting(let waiters, _) = state else { return }
            state = .ended(outcome)
            for continuation in waiters.values { continuation.resume(returning: outcome) }
        }
    }

    /// Whether the start has ended, well or not.
    var hasEnded: Bool {
        state.withLock { state in
            if case .ended = state { return true }
            return false
        }
    }

    /// The outcome, once there is one; a waiter cancelled before then gets `.failure(ifCancelled)`.
    func wait(ifCancelled: DashboardServer.StartError) async -> Outcome {
        let id: Int = state.withLock { state in
            guard case .waiting(let waiters, let nextID) = state else { return -1 }
            state = .waiting(waiters, nextID: nextID + 1)
            return nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                state.withLock { state in
                    switch state {
                    case .ended(let outcome):
                        continuation.resume(returning: outcome)
                    case .waiting(_, _) where Task.isCancelled:
                        continuation.resume(returning: .failure(ifCancelled))
                    case .waiting(var waiters, let nextID):
                        waiters[id] = continuation
                        state = .waiting(waiters, nextID: nextID)
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                guard case .waiting(var waiters, let nextID) = state, let continuation = waiters.removeValue(forKey: id)
                else { return }
                state = .waiting(waiters, nextID: nextID)
                continuation.resume(returning: .failure(ifCancelled))
            }
        }
    }
}

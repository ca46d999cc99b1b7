import Foundation
import Locking

/// The ingester's one timer thread: twice a second, on the wall clock's half seconds, it has
/// every broker session wake its broker and check it for silence (`BrokerSession.wakeAndWatch`).
final class BrokerWaker: Sendable {
    /// The pace; 1 s divided by it must be whole.
    static let period: Duration = .milliseconds(500)
    private let sessions: [BrokerSession]
    /// Whether the thread was started, was asked to stop, and has ended.
    private let control = ConditionLocked((started: false, stopping: false, finished: false))

    init(sessions: [BrokerSession]) {
        self.sessions = sessions
    }

    /// Starts the thread.
    /// - Throws: `PosixThreadError` when the system refuses a thread.
    func start() throws(PosixThreadError) {
        let thread = try PosixThread.start { [self] in
            while true {
                let now = Clocks.wallMicroseconds()
                // 20 ms after the next half second: the broker's clock reads whole seconds.
                let period = Self.period.microseconds
                let next = (now / period) * period + period + Duration.milliseconds(20).microseconds
                let stopping = control.withLock(
                    when: { $0.stopping }, untilMicroseconds: Clocks.monotonicDeadline(after: .microseconds(next - now)),
                    do: { control, _ in control.stopping })
                if stopping { break }
                let at = Clocks.wallMicroseconds()
                for session in sessions { session.wakeAndWatch(nowMicros: at) }
            }
            control.withLock { $0.finished = true }
            control.broadcast()
        }
        control.withLock { $0.started = true }
        thread.detach()
    }

    /// Ends the thread; waits for it at most 2 s (a probe in flight takes at most 0.3 s per broker).
    func stop() {
        control.withLock { $0.stopping = true }
        control.broadcast()
        control.withLock(
            when: { !$0.started || $0.finished }, untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(2)),
            do: { _, _ in })
    }
}

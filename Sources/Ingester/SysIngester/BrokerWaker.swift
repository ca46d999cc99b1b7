import Foundation

/// The ingester's one timer thread: twice a second, on the wall clock's half seconds, it has
/// every broker connection wake its broker and check it for silence
/// (`MosquittoClient.wakeAndWatch`).
final class BrokerWaker: Sendable {
    /// The pace; 1 s divided by it must be whole.
    static let periodSeconds = 0.5
    private let clients: [MosquittoClient]
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(clients: [MosquittoClient]) {
        self.clients = clients
    }

    func start() {
        let thread = Thread { [self] in
            while true {
                let now = Date().timeIntervalSince1970
                // 20 ms after the next half second: the broker's clock reads whole seconds.
                let next = (now / Self.periodSeconds).rounded(.down) * Self.periodSeconds + Self.periodSeconds + 0.02
                if stopped.wait(timeout: .now() + (next - now)) == .success { break }
                let at = Date().timeIntervalSince1970
                for client in clients { client.wakeAndWatch(now: at) }
            }
            finished.signal()
        }
        thread.name = "broker-waker"
        thread.start()
    }

    func stop() {
        stopped.signal()
        _ = finished.wait(timeout: .now() + 2)
    }
}

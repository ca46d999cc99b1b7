import Foundation
import Synchronization

/// A TCP listener on 127.0.0.1 that accepts connections and never sends a byte: a stand-in for a
/// hung PostgreSQL (or any server that stalls after the handshake).
///
/// Accepted connections stay open until `stop()` (also run by `deinit`).
final class SilentTCPServer {
    let port: Int
    private let state: State

    /// What the accept thread and the owner share.
    private final class State: Sendable {
        let listener: Int32
        let accepted = Mutex<[Int32]>([])
        let stopped = Atomic<Bool>(false)
        init(listener: Int32) { self.listener = listener }
    }

    /// Starts listening on a free port and accepting in a background thread.
    init() throws {
        let socket = try LocalPorts.listeningSocket(backlog: 128)
        port = socket.port
        let state = State(listener: socket.fd)
        self.state = state
        let thread = Thread {
            while !state.stopped.load(ordering: .acquiring) {
                var request = pollfd(fd: state.listener, events: Int16(POLLIN), revents: 0)
                // Poll with a timeout so the thread notices `stop()` without racing a close().
                guard poll(&request, 1, 100) > 0 else { continue }
                let client = accept(state.listener, nil, nil)
                guard client >= 0 else { continue }
                // Not inherited by brokers spawned meanwhile (accept4 is not imported into Swift).
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                let keep = state.accepted.withLock { accepted -> Bool in
                    guard !state.stopped.load(ordering: .acquiring) else { return false }
                    accepted.append(client)
                    return true
                }
                if !keep { close(client) }
            }
            close(state.listener)
        }
        thread.name = "SilentTCPServer:\(port)"
        thread.start()
    }

    deinit { stop() }

    /// How many connections were accepted so far (still open ones and closed ones alike).
    var acceptedCount: Int { state.accepted.withLock { $0.count } }

    /// Closes every accepted connection and stops listening (the listener closes within ~100 ms).
    func stop() {
        guard !state.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        state.accepted.withLock { accepted in
            for client in accepted { close(client) }
        }
    }
}

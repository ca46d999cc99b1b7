import Foundation
import Locking

/// Whether a broker's process is gone: a TCP connect to its port is refused (nothing listens
/// there). A broker that stops or crashes ends its clients' connections with ours, but its last
/// log lines (`... terminating`, at QoS 2) never finish their handshake and never arrive: this is
/// how the ingester learns that those clients are gone too. A timeout or an unreachable network
/// is not "gone": the broker may run on behind it.
enum BrokerProbe {
    /// - Parameter timeout: short: the waker thread that probes serves every broker.
    static func refusesConnections(host: String, port: Int, timeout: Duration = .milliseconds(300)) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { return false }
        defer { freeaddrinfo(first) }
        var refused = false
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let address = next {
            next = address.pointee.ai_next
            let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard socket >= 0 else { continue }
            defer { close(socket) }
            var outcome: Int32 = 0
            if connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                return false
            } else if errno == EINPROGRESS {
                var waiting = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                guard poll(&waiting, 1, Int32(timeout.microseconds / 1000)) == 1 else { return false }
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(socket, SOL_SOCKET, SO_ERROR, &outcome, &length)
            } else {
                outcome = errno
            }
            guard outcome == ECONNREFUSED else { return false }
            refused = true
        }
        return refused
    }
}

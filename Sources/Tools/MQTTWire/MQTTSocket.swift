#if canImport(Glibc)
    import Glibc
#endif

/// A blocking IPv4 TCP socket with send and receive timeouts; the only place MQTTWire calls the C
/// socket API. Owns its descriptor and closes it in `deinit`.
final class MQTTSocket {
    /// What one `receive` call produced.
    enum Received {
        case bytes(Int)
        case endOfStream
        case timedOut
    }

    private var descriptor: Int32

    /// Opens a TCP connection with `TCP_NODELAY`, `SO_RCVTIMEO` and `SO_SNDTIMEO` set.
    init(host: String, port: Int, timeoutMilliseconds: Int) throws(MQTTWireError) {
        guard (1...65535).contains(port) else { throw .connectFailed("port \(port) is outside 1...65535") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let numericHost = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, numericHost, &address.sin_addr) == 1 else {
            throw .connectFailed("host '\(host)' is not an IPv4 address")
        }
        // CLOEXEC: tests spawn brokers; an inherited descriptor would keep a "dropped" connection open.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed("socket: \(Self.errnoText())") }
        descriptor = fd
        do throws(MQTTWireError) {
            var one: Int32 = 1
            try Self.check("setsockopt(TCP_NODELAY)") {
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            var limit = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
            try Self.check("setsockopt(SO_RCVTIMEO)") {
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            }
            // > SO_SNDTIMEO ... also applies to connect(2): it fails with EINPROGRESS after the timeout.
            try Self.check("setsockopt(SO_SNDTIMEO)") {
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            }
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    Glibc.connect(fd, generic, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                throw MQTTWireError.connectFailed("connect to \(numericHost):\(port): \(Self.errnoText())")
            }
        } catch {
            Glibc.close(fd)
            descriptor = -1
            throw error
        }
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    var isOpen: Bool { descriptor >= 0 }

    /// Writes all of `bytes`, never raising SIGPIPE.
    func send(_ bytes: [UInt8]) throws(MQTTWireError) {
        guard descriptor >= 0 else { throw .notConnected }
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result >= 0 {
                sent += result
                continue
            }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timeout
            case EPIPE, ECONNRESET: throw .closedByPeer
            default: throw .ioFailed("send: \(Self.errnoText(code))")
            }
        }
    }

    /// Reads what is available into `buffer` (appending). Waits at most `timeoutMilliseconds` when
    /// given (via poll), otherwise up to the socket's `SO_RCVTIMEO`. With `0`, never blocks.
    func receive(into buffer: inout [UInt8], timeoutMilliseconds: Int?) throws(MQTTWireError) -> Received {
        guard descriptor >= 0 else { throw .notConnected }
        var flags: Int32 = 0
        if let timeoutMilliseconds {
            if timeoutMilliseconds <= 0 {
                flags = Int32(MSG_DONTWAIT)
            } else {
                var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&request, 1, Int32(clamping: timeoutMilliseconds))
                if ready == 0 { return .timedOut }
                if ready < 0 {
                    if errno == EINTR { return .bytes(0) }
                    throw .ioFailed("poll: \(Self.errnoText())")
                }
            }
        }
        while true {
            let result = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8192) { chunk in
                let count = recv(descriptor, chunk.baseAddress, chunk.count, flags)
                if count > 0 { buffer.append(contentsOf: chunk[0..<count]) }
                return count
            }
            if result > 0 { return .bytes(result) }
            if result == 0 { return .endOfStream }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            case ECONNRESET, EPIPE: return .endOfStream
            default: throw .ioFailed("recv: \(Self.errnoText(code))")
            }
        }
    }

    /// Closes the descriptor (a FIN, or an RST if unread data is pending). Safe to call twice.
    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Closes with `SO_LINGER` {on, 0 s}, which makes the kernel send an RST instead of a FIN.
    func closeWithReset() {
        guard descriptor >= 0 else { return }
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    // MARK: - Errors

    private static func check(_ call: String, _ body: () -> Int32) throws(MQTTWireError) {
        if body() != 0 { throw .connectFailed("\(call): \(errnoText())") }
    }

    private static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}

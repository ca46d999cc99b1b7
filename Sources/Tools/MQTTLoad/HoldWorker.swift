import Locking
import MQTTWire

#if canImport(Glibc)
import Glibc
#endif

/// One thread of `mqtt-load --hold`: opens its share of the held connections (at most `window`
/// in flight at a time, non-blocking, all watched with one poll), keeps them open until the broker
/// closes them, then, for the next round, connects them all again as fast as the broker takes them.
/// Rounds meet the other threads at `barrier` after connecting and after the broker closed them,
/// so the main thread can print one line per step.
final class HoldWorker {
    /// What one round's connect storm measured on this thread.
    struct ConnectResult {
        /// CONNECT-to-CONNACK of every accepted connection, in microseconds.
        var latencies: [UInt32] = []
        var errors = 0
        /// Attempts the broker refused or reset before its CONNACK (not up yet, or exiting).
        var retries = 0
        var firstError: String?
        /// Wall-clock microseconds of the first attempt and of the last CONNACK.
        var startedAtMicros: Int64 = 0
        var finishedAtMicros: Int64 = 0
    }

    /// When the broker closed this thread's connections in one round.
    struct CloseResult {
        var closed = 0
        /// Still open at the run's time limit (closed by us).
        var abandoned = 0
        var firstCloseMicros: Int64 = 0
        var lastCloseMicros: Int64 = 0
    }

    private enum Phase { case connecting, awaitingAck }
    private struct Attempt {
        var client: Int
        var fd: Int32
        var phase: Phase
        var sentAt: Int64 = 0
        var received: [UInt8] = []
    }

    private let options: LoadOptions
    /// Global index of this thread's first client (client ids are `<prefix>-<index>`).
    private let firstClient: Int
    private let clientCount: Int
    private let barrier: UnsafeMutablePointer<pthread_barrier_t>
    /// Monotonic microseconds after which every wait gives up.
    private let deadline: Int64
    /// Connections in flight at once: enough to keep the broker busy, few enough for its backlog.
    private let window = 64

    private(set) var connects: [ConnectResult]
    private(set) var closes: [CloseResult]
    private var thread: PosixThread?

    init(options: LoadOptions, firstClient: Int, clientCount: Int, barrier: UnsafeMutablePointer<pthread_barrier_t>,
         deadline: Int64) {
        self.options = options
        self.firstClient = firstClient
        self.clientCount = clientCount
        self.barrier = barrier
        self.deadline = deadline
        connects = Array(repeating: ConnectResult(), count: options.rounds)
        closes = Array(repeating: CloseResult(), count: options.rounds)
    }

    /// Starts the thread. - Returns: false when it could not be created.
    func start() -> Bool {
        // The thread holds `self` until its body returns.
        thread = try? PosixThread.start { self.run() }
        return thread != nil
    }

    func join() {
        thread?.join()
        thread = nil
    }

    private func run() {
        for round in 0..<options.rounds {
            var connect = ConnectResult()
            let held = connectAll(&connect)
            connects[round] = connect
            pthread_barrier_wait(barrier)
            var close = CloseResult()
            holdUntilClosed(held, &close)
            closes[round] = close
            pthread_barrier_wait(barrier)
        }
    }

    // MARK: - Connecting

    /// Connects every client of this thread; returns the descriptors of the accepted ones.
    private func connectAll(_ result: inout ConnectResult) -> [Int32] {
        var held: [Int32] = []
        held.reserveCapacity(clientCount)
        result.latencies.reserveCapacity(clientCount)
        var waiting = Array(0..<clientCount)
        var next = 0
        var attempts: [Attempt] = []
        var attemptsPerClient = [Int](repeating: 0, count: clientCount)
        // After a refusal (the broker is not listening yet, or exiting) no new attempt starts for
        // 20 ms, so a restart costs the broker a few refused connections, not a flood of them.
        var pausedUntil: Int64 = 0
        result.startedAtMicros = Clocks.wallMicroseconds()
        func retry(_ attempt: Attempt, _ why: String) {
            Glibc.close(attempt.fd)
            attemptsPerClient[attempt.client] += 1
            if attemptsPerClient[attempt.client] >= 3000 {
                fail(&result, "client \(clientID(attempt.client)): \(why), 3000 times")
                return
            }
            result.retries += 1
            waiting.append(attempt.client)
            pausedUntil = Clocks.monotonicDeadline(after: .milliseconds(20))
        }
        while next < waiting.count || !attempts.isEmpty {
            let now = Clocks.monotonicMicroseconds()
            if now >= deadline {
                for attempt in attempts { Glibc.close(attempt.fd) }
                let left = attempts.count + waiting.count - next
                result.errors += left
                if result.firstError == nil { result.firstError = "\(left) clients not connected within the time limit" }
                break
            }
            while now >= pausedUntil, attempts.count < window, next < waiting.count {
                let client = waiting[next]
                next += 1
                switch open(client) {
                case .success(let fd): attempts.append(Attempt(client: client, fd: fd, phase: .connecting))
                case .failure(let failure): fail(&result, "client \(clientID(client)): \(failure)")
                }
            }
            if next > 4096 && next == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                next = 0
            }
            var fds = attempts.map {
                pollfd(fd: $0.fd, events: Int16($0.phase == .connecting ? POLLOUT : POLLIN), revents: 0)
            }
            let ready = poll(&fds, nfds_t(fds.count), now < pausedUntil ? 10 : 100)
            guard ready > 0 else { continue }
            var stillWaiting: [Attempt] = []
            stillWaiting.reserveCapacity(attempts.count)
            for index in attempts.indices {
                var attempt = attempts[index]
                guard fds[index].revents != 0 else {
                    stillWaiting.append(attempt)
                    continue
                }
                switch attempt.phase {
                case .connecting:
                    let error = Self.socketError(attempt.fd)
                    if error == ECONNREFUSED || error == ECONNRESET {
                        retry(attempt, "connection refused")
                        continue
                    }
                    guard error == 0 else {
                        Glibc.close(attempt.fd)
                        fail(&result, "client \(clientID(attempt.client)): connect: \(String(cString: strerror(error)))")
                        continue
                    }
                    let packet = connectPacket(attempt.client)
                    attempt.sentAt = Clocks.monotonicMicroseconds()
                    // A fresh socket's send buffer takes the whole (small) packet at once.
                    let sent = packet.withUnsafeBytes { send(attempt.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard sent == packet.count else {
                        retry(attempt, "send failed")
                        continue
                    }
                    attempt.phase = .awaitingAck
                    stillWaiting.append(attempt)
                case .awaitingAck:
                    var chunk = [UInt8](repeating: 0, count: 64)
                    let count = recv(attempt.fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
                    if count < 0 && (errno == EAGAIN || errno == EINTR) {
                        stillWaiting.append(attempt)
                        continue
                    }
                    guard count > 0 else {
                        // Closed before its CONNACK: the broker was exiting (its backlog had
                        // accepted us) or not ready; try again.
                        retry(attempt, "closed before CONNACK")
                        continue
                    }
                    attempt.received += chunk[0..<count]
                    // CONNACK: 0x20, a one-byte remaining length, flags, return/reason code, ...
                    guard attempt.received.count >= 2, attempt.received.count >= 2 + Int(attempt.received[1]) else {
                        stillWaiting.append(attempt)
                        continue
                    }
                    let elapsed = Clocks.monotonicMicroseconds() - attempt.sentAt
                    guard attempt.received[0] == 0x20, attempt.received.count >= 4, attempt.received[3] == 0 else {
                        Glibc.close(attempt.fd)
                        fail(&result, "client \(clientID(attempt.client)): no accepting CONNACK (\(attempt.received.prefix(4)))")
                        continue
                    }
                    result.latencies.append(UInt32(clamping: elapsed))
                    held.append(attempt.fd)
                }
            }
            attempts = stillWaiting
        }
        result.finishedAtMicros = Clocks.wallMicroseconds()
        return held
    }

    /// A non-blocking TCP socket connecting to the broker (from the client's source address).
    private func open(_ client: Int) -> Result<Int32, HoldFailure> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(HoldFailure("socket: \(String(cString: strerror(errno)))")) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        if options.sourceAddresses > 0 {
            // 127.0.0.2, 127.0.0.3, ...: each source address has its own ~28,000 ephemeral ports.
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            let last = UInt32(2 + (firstClient + client) % options.sourceAddresses)
            source.sin_addr.s_addr = (UInt32(127) << 24 | last).bigEndian
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let message = String(cString: strerror(errno))
                Glibc.close(fd)
                return .failure(HoldFailure("bind to 127.0.0.\(last): \(message)"))
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(options.port).bigEndian)
        _ = inet_pton(AF_INET, options.host == "localhost" ? "127.0.0.1" : options.host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // EINPROGRESS and an immediate refusal both show up as POLLOUT plus SO_ERROR.
        guard connected == 0 || errno == EINPROGRESS || errno == ECONNREFUSED else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            return .failure(HoldFailure("connect: \(message)"))
        }
        return .success(fd)
    }

    private func clientID(_ client: Int) -> String { "\(options.prefix)-\(firstClient + client)" }

    private func connectPacket(_ client: Int) -> [UInt8] {
        (try? MQTTEncoding.connect(
            clientID: clientID(client), protocol: options.protocolVersion, cleanSession: true,
            keepAlive: options.keepAliveSeconds)) ?? []
    }

    private func fail(_ result: inout ConnectResult, _ message: String) {
        result.errors += 1
        if result.firstError == nil { result.firstError = message }
    }

    // MARK: - Holding

    /// Waits until the broker closes every connection in `held` (or the time limit).
    private func holdUntilClosed(_ held: [Int32], _ result: inout CloseResult) {
        var open = held
        var chunk = [UInt8](repeating: 0, count: 256)
        while !open.isEmpty {
            if Clocks.monotonicMicroseconds() >= deadline {
                for fd in open { Glibc.close(fd) }
                result.abandoned += open.count
                return
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 1000)
            guard ready > 0 else { continue }
            var stillOpen: [Int32] = []
            stillOpen.reserveCapacity(open.count)
            for entry in fds {
                guard entry.revents != 0 else {
                    stillOpen.append(entry.fd)
                    continue
                }
                let count = recv(entry.fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
                if count > 0 || (count < 0 && (errno == EAGAIN || errno == EINTR)) {
                    stillOpen.append(entry.fd)
                    continue
                }
                Glibc.close(entry.fd)
                let now = Clocks.wallMicroseconds()
                if result.closed == 0 { result.firstCloseMicros = now }
                result.lastCloseMicros = now
                result.closed += 1
            }
            open = stillOpen
        }
    }

    // MARK: - Helpers

    private static func socketError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }
}

/// Why one held connection could not be opened.
struct HoldFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

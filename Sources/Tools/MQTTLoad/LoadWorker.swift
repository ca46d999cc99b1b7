import Locking
import MQTTWire

#if canImport(Glibc)
import Glibc
#endif

/// One load thread: connects, waits for CONNACK, disconnects, again and again, and keeps its own
/// counters so threads share nothing while they run.
final class LoadWorker {
    private let options: LoadOptions
    private let index: Int
    /// Cycles this thread attempts, or nil to run until `deadline`.
    private let quota: Int?
    /// Monotonic microseconds at which a timed run stops starting new cycles.
    private let deadline: Int64

    /// CONNECT-to-CONNACK latency of every successful cycle, in microseconds.
    private(set) var latencies: [UInt32] = []
    private(set) var errors = 0
    private(set) var firstError: String?

    private var thread: PosixThread?

    init(options: LoadOptions, index: Int, quota: Int?, deadline: Int64) {
        self.options = options
        self.index = index
        self.quota = quota
        self.deadline = deadline
        latencies.reserveCapacity(quota ?? 65_536)
    }

    /// Starts the thread.
    /// - Returns: false when the thread could not be created.
    func start() -> Bool {
        // The thread holds `self` until its body returns.
        thread = try? PosixThread.start { self.run() }
        return thread != nil
    }

    /// Waits for the thread to finish.
    func join() {
        thread?.join()
        thread = nil
    }

    private func run() {
        var counter = 0
        while true {
            if let quota {
                if counter >= quota { break }
            } else if Clocks.monotonicMicroseconds() >= deadline {
                break
            }
            counter += 1
            cycle(clientID: "\(options.prefix)-\(index)-\(counter)")
        }
    }

    /// One TCP connection: CONNECT, CONNACK, DISCONNECT.
    private func cycle(clientID: String) {
        do throws(MQTTWireError) {
            let client = try MQTTWireClient(
                host: options.host, port: options.port, timeoutMilliseconds: options.timeoutMilliseconds)
            let started = Clocks.monotonicMicroseconds()
            let ack = try client.connect(
                clientID: clientID, protocol: options.protocolVersion, keepAlive: options.keepAliveSeconds)
            let elapsed = Clocks.monotonicMicroseconds() - started
            guard ack.isAccepted else {
                client.dropConnection()
                fail("client \(clientID): CONNACK refused with code \(ack.returnCode)")
                return
            }
            client.disconnect()
            latencies.append(UInt32(clamping: elapsed))
        } catch {
            fail("client \(clientID): \(error)")
        }
    }

    private func fail(_ message: String) {
        errors += 1
        if firstError == nil { firstError = message }
    }
}

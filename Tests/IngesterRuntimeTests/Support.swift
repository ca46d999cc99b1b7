import Foundation
import IngestCore
import IngesterConfig
import IngesterRuntime
import Locking
import Logging

/// The tests' logger: silent (the outcomes are checked, not the lines).
let quiet = Logger(label: "ingester-runtime-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// A broker's settings as the command line would give them.
func brokerSettings(_ name: String = "a") -> BrokerSettings {
    BrokerSettings(
        name: name, host: "127.0.0.1", port: 1883, clientID: "sys-ingester-test", username: nil, password: nil,
        protocolVersion: .mqttv311, keepalive: 60, tls: nil)
}

/// A log line of broker log level `level` ("N", "M/subscribe", ...), as the broker publishes it.
func logLine(_ level: String, _ text: String, at time: Double) -> IngestInput {
    .message(topic: "$SYS/broker/log/\(level)", payload: text, receivedAtMicros: micros(time))
}

/// The broker's line for a client's connect at `time`.
func connectLine(_ client: String, at time: Double) -> IngestInput {
    logLine("N", "\(Int(time)): New client connected from 127.0.0.1:1 as \(client) (p4, c1, k60).", at: time)
}

/// A metric message: `$SYS/broker/<path>`.
func metric(_ path: String, _ payload: String, at time: Double) -> IngestInput {
    .message(topic: "$SYS/broker/\(path)", payload: payload, receivedAtMicros: micros(time))
}

/// An ingest loop over a fake database, on a thread of its own as in the program.
struct RunningLoop {
    let queue: IngestQueue
    private let thread: PosixThread

    /// - Parameters:
    ///   - brokers: the `broker` column of each broker index.
    ///   - maximumBurst: the most inputs in one transaction.
    static func start(
        queue: IngestQueue, database: FakeIngestDatabase, brokers: [String] = ["a"], maximumBurst: Int = 100,
        observer: any IngestObserver = SilentIngestObserver()
    ) throws -> RunningLoop {
        var loop = IngestLoop(
            queue: queue, writer: database, brokers: brokers, clientIDs: brokers.map { "sys-ingester-\($0)" },
            logger: quiet, observer: observer, window: .milliseconds(5), maximumBurst: maximumBurst)
        let thread = try PosixThread.start { loop.run() }
        return RunningLoop(queue: queue, thread: thread)
    }

    /// Requests the stop (as the service's graceful shutdown does) and waits for the loop to end.
    func stop() {
        queue.requestStop()
        thread.join()
    }
}

/// Hears the broker-side observer calls.
final class RecordingObserver: IngestObserver {
    struct Heard: Sendable {
        var connections: [Bool] = []
        var reconnects = 0
        var databaseUp: [Bool] = []
        var lost = 0
    }

    let heard = ConditionLocked(Heard())

    func brokerConnection(_ broker: String, isUp: Bool) { heard.withLock { $0.connections.append(isUp) } }
    func brokerReconnected(_ broker: String) { heard.withLock { $0.reconnects += 1 } }
    func databaseConnection(isUp: Bool) { heard.withLock { $0.databaseUp.append(isUp) } }
    func messagesLost(_ count: Int) { heard.withLock { $0.lost += count } }
}

extension IngestInput {
    /// The case's name, for comparing sequences of inputs.
    var kind: String {
        switch self {
        case .message(let topic, _, _): "message \(topic)"
        case .brokerConnected(_, let resumed): "connected resumed=\(resumed)"
        case .brokerDisconnected: "disconnected"
        case .brokerStopped: "stopped"
        case .brokerSilent: "silent"
        case .brokerPublishing: "publishing"
        }
    }
}

/// Epoch seconds as the microseconds every instant is in (the tests read in seconds).
func micros(_ seconds: Double) -> Int64 {
    Int64((seconds * 1_000_000).rounded())
}

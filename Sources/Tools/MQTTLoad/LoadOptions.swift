import ArgumentParser
import MQTTWire

/// The command line of `mqtt-load`: where to connect, how many threads, and how long to run.
///
/// swift-argument-parser reads it (`LoadOptions.parse(_:)`); `validate()` checks each value's
/// range and names the option at fault. main.swift turns every refusal into exit status 2. Every
/// option takes the next argument as its value, even one that starts with `-` (`--prefix -x`,
/// `--seconds -1` is refused by its range), as the hand-written parser before it did.
struct LoadOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt-load",
        abstract: "A connection-churn load generator for benchmarks and smoke tests.",
        usage: """
            mqtt-load --port N [--host 127.0.0.1] [--threads 4] [--cycles N | --seconds D]
                      [--prefix load] [--protocol 3.1|3.1.1|5] [--timeout-ms 5000] [--keepalive 60]
            mqtt-load --port N --hold CLIENTS [--rounds 1] [--source-addresses 0] [--threads 4]
                      [--hold-limit-s 900] [--prefix load] [--protocol ...] [--keepalive 60]
            """,
        discussion: """
            Opens many short MQTT connections (TCP connect, CONNECT, CONNACK, DISCONNECT) from several \
            threads with unique client ids (<prefix>-<thread>-<counter>) and prints one JSON line: \
            cycles, errors, seconds, cycles_per_s, p50_us, p99_us, max_us (CONNECT-to-CONNACK latency). \
            Exits 1 when any cycle failed, 2 for a bad command line.

            With --hold, opens CLIENTS connections (client ids <prefix>-<n>, at most 64 in flight per \
            thread) and keeps them open; prints {"event":"connected",...} with the CONNECT-to-CONNACK \
            percentiles once all are connected, and {"event":"closed",...} once the broker closed them \
            all (it stopped). With --rounds R, connects them all again after each close (retrying while \
            the broker is down), R times in all. Raises its open-file limit to the hard limit.
            """)

    @Option(parsing: .unconditional, help: "The broker's address.")
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: "The broker's port (1-65535).")
    var port: Int

    @Option(parsing: .unconditional, help: "Threads (1-1024).")
    var threads = 4

    /// Total cycles over all threads; when set, the run ends after them instead of after `seconds`.
    @Option(
        parsing: .unconditional,
        help: "Total cycles over all threads (1-1000000000); the run ends after them instead of after --seconds.")
    var cycles: Int?

    /// Run length when `cycles` is not given.
    @Option(
        parsing: .unconditional,
        help: "Run length in seconds when --cycles is not given (more than 0, at most 86400).")
    var seconds = 10.0

    /// Client ids are `<prefix>-<thread>-<counter>`, unique within one run.
    @Option(
        parsing: .unconditional,
        help: "Client ids are <prefix>-<thread>-<counter> (<prefix>-<n> with --hold); 1 to 200 bytes.")
    var prefix = "load"

    @Option(
        name: .customLong("protocol"), parsing: .unconditional,
        help: "MQTT version: 3.1, 3.1.1 (or 4) or 5 (or 5.0).")
    var protocolVersion: MQTTProtocolVersion = .v311

    /// The longest one send or receive may block before the cycle counts as an error.
    @Option(
        name: .customLong("timeout-ms"), parsing: .unconditional,
        help: "The longest one send or receive may block, in ms (1-600000), before the cycle counts as an error.")
    var timeoutMilliseconds = 5000

    @Option(
        name: .customLong("keepalive"), parsing: .unconditional,
        help: "The keep-alive of CONNECT, in seconds (0-65535).")
    var keepAlive = 60

    /// Hold mode: open this many connections and keep them open instead of churning.
    @Option(
        parsing: .unconditional,
        help: "Hold mode: open CLIENTS connections (1-1000000) and keep them open instead of churning.")
    var hold: Int?

    /// Hold mode: connect rounds; after the broker closed every connection of one round (its stop),
    /// the next round connects them all again (the reconnect storm after its restart).
    @Option(
        parsing: .unconditional,
        help: "Hold mode: connect rounds (1-100); each after the broker closed every connection of the one before.")
    var rounds = 1

    /// Hold mode: bind connections to 127.0.0.2 ... 127.0.0.(1 + N), round robin; each source
    /// address has its own ephemeral ports (about 28,000 per address to one broker port).
    @Option(
        parsing: .unconditional,
        help: "Hold mode: bind connections to 127.0.0.2 ... 127.0.0.(1 + N), round robin (0-250; 0: do not bind).")
    var sourceAddresses = 0

    /// Hold mode: the whole run's time limit.
    @Option(
        name: .customLong("hold-limit-s"), parsing: .unconditional,
        help: "Hold mode: the whole run's time limit in seconds (1-86400).")
    var holdLimitSeconds = 900

    /// The keep-alive of CONNECT (`--keepalive`, checked to fit).
    var keepAliveSeconds: UInt16 { UInt16(clamping: keepAlive) }

    /// Checks every value's range; the error names the option at fault.
    func validate() throws {
        try Self.check("--port", port, 1...65535)
        try Self.check("--threads", threads, 1...1024)
        if let cycles { try Self.check("--cycles", cycles, 1...1_000_000_000) }
        guard seconds > 0, seconds <= 86_400 else {
            throw ValidationError("--seconds '\(seconds)' must be a number of seconds in (0, 86400]")
        }
        guard !prefix.isEmpty, prefix.utf8.count <= 200 else { throw ValidationError("--prefix must be 1 to 200 bytes") }
        try Self.check("--timeout-ms", timeoutMilliseconds, 1...600_000)
        try Self.check("--keepalive", keepAlive, 0...65535)
        if let hold { try Self.check("--hold", hold, 1...1_000_000) }
        try Self.check("--rounds", rounds, 1...100)
        try Self.check("--source-addresses", sourceAddresses, 0...250)
        try Self.check("--hold-limit-s", holdLimitSeconds, 1...86_400)
    }

    private static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError(
                "\(name) '\(value)' must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
    }
}

/// `--protocol 3.1|3.1.1|4|5|5.0`: swift-argument-parser refuses any other value and names the choices.
extension MQTTProtocolVersion: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "3.1": self = .v31
        case "3.1.1", "4": self = .v311
        case "5", "5.0": self = .v5
        default: return nil
        }
    }

    public var defaultValueDescription: String {
        switch self {
        case .v31: "3.1"
        case .v311: "3.1.1"
        case .v5: "5"
        }
    }

    public static var allValueStrings: [String] { ["3.1", "3.1.1", "5"] }
}

import MQTTWire

/// The command line of `mqtt-load`: where to connect, how many threads, and how long to run.
struct LoadOptions {
    var host = "127.0.0.1"
    var port = 0
    var threads = 4
    /// Total cycles over all threads; when set, the run ends after them instead of after `seconds`.
    var cycles: Int?
    /// Run length when `cycles` is not given.
    var seconds = 10.0
    /// Client ids are `<prefix>-<thread>-<counter>`, unique within one run.
    var prefix = "load"
    var protocolVersion: MQTTProtocolVersion = .v311
    /// The longest one send or receive may block before the cycle counts as an error.
    var timeoutMilliseconds = 5000
    var keepAliveSeconds: UInt16 = 60
    /// Hold mode: open this many connections and keep them open instead of churning.
    var hold: Int?
    /// Hold mode: connect rounds; after the broker closed every connection of one round (its stop),
    /// the next round connects them all again (the reconnect storm after its restart).
    var rounds = 1
    /// Hold mode: bind connections to 127.0.0.2 ... 127.0.0.(1 + N), round robin; each source
    /// address has its own ephemeral ports (about 28,000 per address to one broker port).
    var sourceAddresses = 0
    /// Hold mode: the whole run's time limit.
    var holdLimitSeconds = 900

    static let usage = """
        usage: mqtt-load --port N [--host 127.0.0.1] [--threads 4] [--cycles N | --seconds D]
                         [--prefix load] [--protocol 3.1|3.1.1|5] [--timeout-ms 5000] [--keepalive 60]
               mqtt-load --port N --hold CLIENTS [--rounds 1] [--source-addresses 0] [--threads 4]
                         [--hold-limit-s 900] [--prefix load] [--protocol ...] [--keepalive 60]

        Opens many short MQTT connections (TCP connect, CONNECT, CONNACK, DISCONNECT) from several
        threads with unique client ids (<prefix>-<thread>-<counter>) and prints one JSON line:
        cycles, errors, seconds, cycles_per_s, p50_us, p99_us, max_us (CONNECT-to-CONNACK latency).
        Exits 1 when any cycle failed, 2 for a bad command line.

        With --hold, opens CLIENTS connections (client ids <prefix>-<n>, at most 64 in flight per
        thread) and keeps them open; prints {"event":"connected",...} with the CONNECT-to-CONNACK
        percentiles once all are connected, and {"event":"closed",...} once the broker closed them
        all (it stopped). With --rounds R, connects them all again after each close (retrying while
        the broker is down), R times in all. Raises its open-file limit to the hard limit.
        """

    /// A command-line problem, naming the option at fault.
    struct UsageError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Parses `arguments` (without the program name).
    /// - Throws: `UsageError` naming the first bad or missing option.
    static func parse(_ arguments: [String]) throws(UsageError) -> LoadOptions {
        var options = LoadOptions()
        var index = 0
        func value(_ name: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(message: "\(name) needs a value") }
            return arguments[index]
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
            let text = try value(name)
            guard let number = Int(text), range.contains(number) else {
                throw UsageError(
                    message: "\(name) '\(text)' must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        var portGiven = false
        while index < arguments.count {
            let name = arguments[index]
            switch name {
            case "--host": options.host = try value(name)
            case "--port":
                options.port = try integer(name, 1...65535)
                portGiven = true
            case "--threads": options.threads = try integer(name, 1...1024)
            case "--cycles": options.cycles = try integer(name, 1...1_000_000_000)
            case "--seconds":
                let text = try value(name)
                guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                    throw UsageError(message: "--seconds '\(text)' must be a number of seconds in (0, 86400]")
                }
                options.seconds = seconds
            case "--prefix":
                options.prefix = try value(name)
                guard !options.prefix.isEmpty, options.prefix.utf8.count <= 200 else {
                    throw UsageError(message: "--prefix must be 1 to 200 bytes")
                }
            case "--protocol":
                let text = try value(name)
                switch text {
                case "3.1": options.protocolVersion = .v31
                case "3.1.1", "4": options.protocolVersion = .v311
                case "5", "5.0": options.protocolVersion = .v5
                default: throw UsageError(message: "--protocol '\(text)' must be 3.1, 3.1.1 or 5")
                }
            case "--timeout-ms": options.timeoutMilliseconds = try integer(name, 1...600_000)
            case "--keepalive": options.keepAliveSeconds = UInt16(try integer(name, 0...65535))
            case "--hold": options.hold = try integer(name, 1...1_000_000)
            case "--rounds": options.rounds = try integer(name, 1...100)
            case "--source-addresses": options.sourceAddresses = try integer(name, 0...250)
            case "--hold-limit-s": options.holdLimitSeconds = try integer(name, 1...86_400)
            case "--help", "-h": throw UsageError(message: usage)
            default: throw UsageError(message: "unknown option '\(name)'")
            }
            index += 1
        }
        guard portGiven else { throw UsageError(message: "--port is required") }
        return options
    }
}

import Foundation

/// A running `bin/sys-ingester` (TEST_SYS_INGESTER) for one test, writing to a scratch database
/// and reading one `BrokerProcess`. `deinit` kills it; `stop()` ends it with SIGTERM.
final class SysIngesterProcess {
    /// The broker config lines the ingester needs, as documented in docs/sys-ingester.md
    /// (BrokerProcess already sets `log_type all`, which includes subscribe and unsubscribe).
    static let brokerConfig = ["log_dest topic", "sys_interval 1"]

    let outputPath: String
    let directory: String
    private let process: ChildProcess

    /// Starts the ingester and waits until it is subscribed and writing: the broker logs the
    /// ingester's own SUBSCRIBE to `$SYS/broker/#`, which the ingester then records as an event.
    /// - Parameter binary: the executable to run instead of `TEST_SYS_INGESTER` (an installed copy).
    static func start(
        broker: BrokerProcess, database: ScratchDatabase, brokerName: String = "test", port: Int? = nil,
        arguments: [String] = [], environment: [String: String] = [:], binary: String? = nil
    ) throws -> SysIngesterProcess {
        let ingester = try launch(
            broker: broker, database: database, brokerName: brokerName, port: port, arguments: arguments,
            environment: environment, binary: binary)
        try ingester.waitUntil("the ingester records its own subscription") {
            try database.intScalar("SELECT count(*) FROM events WHERE topic = '$SYS/broker/#'") ?? 0 > 0
        }
        return ingester
    }

    /// Starts the ingester without waiting for it to connect (for connections meant to fail).
    /// - Parameter port: the broker port to use instead of `broker.port` (a second listener).
    static func launch(
        broker: BrokerProcess, database: ScratchDatabase, brokerName: String = "test", port: Int? = nil,
        arguments: [String] = [], environment: [String: String] = [:], binary: String? = nil
    ) throws -> SysIngesterProcess {
        let binary = try binary ?? TestEnvironment.require(.sysIngester)
        let directory = try TestEnvironment.makeScratchDirectory(label: "sys-ingester")
        return try SysIngesterProcess(
            binary: binary, directory: directory,
            arguments: [
                "--port", "\(port ?? broker.port)", "--broker-name", brokerName, "--log-level", "debug",
                "--burst-window-ms", "50",
            ] + arguments,
            environment: ["PG_DSN": database.dsn].merging(environment) { _, new in new })
    }

    /// Starts the ingester with `--config` and a file holding `yaml` (in the ingester's own scratch
    /// directory), without waiting for anything.
    /// - Parameter arguments: more options after `--config FILE`.
    static func launch(
        config yaml: String, arguments: [String] = [], environment: [String: String] = [:]
    ) throws -> SysIngesterProcess {
        let binary = try TestEnvironment.require(.sysIngester)
        let directory = try TestEnvironment.makeScratchDirectory(label: "sys-ingester-config")
        let path = (directory as NSString).appendingPathComponent("sys-ingester.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try SysIngesterProcess(
            binary: binary, directory: directory, arguments: ["--config", path] + arguments, environment: environment)
    }

    /// The output lines that carry every one of `parts` (a log line's event, broker, message).
    func lines(containing parts: String...) -> [Substring] {
        output.split(separator: "\n").filter { line in parts.allSatisfy { line.contains($0) } }
    }

    /// How many times `text` occurs in the output so far.
    func occurrences(of text: String) -> Int {
        output.components(separatedBy: text).count - 1
    }

    private init(binary: String, directory: String, arguments: [String], environment: [String: String]) throws {
        self.directory = directory
        outputPath = (directory as NSString).appendingPathComponent("sys-ingester.out")
        process = try ChildProcess(
            executable: binary, arguments: arguments, environment: environment, outputPath: outputPath)
    }

    deinit {
        process.kill9()
        if ProcessInfo.processInfo.environment["TEST_KEEP_TMP"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    /// Waits up to `timeout` seconds for the ingester to end by itself.
    /// - Returns: its exit code, or nil while it still runs.
    func waitForExit(timeout: Double) -> Int32? {
        process.waitForExit(timeout: timeout)
    }

    /// SIGTERM; returns the exit code (nil if it had to be killed).
    func stop(grace: Double = 15) -> Int32? {
        process.signal(SIGTERM)
        return process.waitForExit(timeout: grace)
    }

    /// `waitUntil`, with the ingester's output attached when it times out.
    func waitUntil(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) throws {
        do {
            try IntegrationTests.waitUntil(timeout: timeout, what, condition)
        } catch {
            throw ProcessRunner.Failure(message: "\(error)", output: String(output.suffix(4000)))
        }
    }
}

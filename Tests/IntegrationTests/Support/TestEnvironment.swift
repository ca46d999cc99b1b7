import Foundation

/// The integration tests' view of the services `scripts/test.sh` (`make test`) provides.
///
/// Suites use `@Suite(.enabled(if: TestEnvironment.shouldRun))`: a plain `swift test` without the
/// variables skips them, but under `TEST_REQUIRE_INTEGRATION=1` they always run, and every
/// missing prerequisite then fails the test through `require(_:)` instead of skipping it.
enum TestEnvironment {
    /// The environment variables the harness reads.
    enum Key: String, CaseIterable, Sendable {
        /// libpq connection string of a server with database "mqtt".
        case pgDSN = "TEST_PG_DSN"
        /// mosquitto 2.1 broker executable.
        case mosquitto21 = "TEST_MOSQUITTO_21"
        /// Debian's mosquitto 2.0.11 broker executable.
        case mosquitto20 = "TEST_MOSQUITTO_20"
        /// The built conn-plugin shared object.
        case connPlugin = "TEST_CONN_PLUGIN"
        /// The built sys-ingester executable.
        case sysIngester = "TEST_SYS_INGESTER"
        /// The built mqtt-load executable.
        case mqttLoad = "TEST_MQTT_LOAD"
        /// A scratch directory for temporary files.
        case tmpDir = "TEST_TMPDIR"
        /// A python3 that can import prometheus_client (Debian's python3-prometheus-client).
        case python3 = "TEST_PYTHON3"

        /// Whether the value names a file or directory that must exist.
        var isPath: Bool { self != .pgDSN }
    }

    /// A prerequisite that is missing, named so the person running the tests can fix it.
    struct MissingPrerequisite: Error, CustomStringConvertible {
        let variable: String
        let problem: String
        var description: String { "integration prerequisite \(variable): \(problem)" }
    }

    /// True when the core services (PostgreSQL and mosquitto 2.1) are configured.
    static var isConfigured: Bool {
        value(.pgDSN) != nil && value(.mosquitto21) != nil
    }

    /// True under `make test` (`TEST_REQUIRE_INTEGRATION=1`): a missing prerequisite must fail.
    static var isRequired: Bool {
        let flag = ProcessInfo.processInfo.environment["TEST_REQUIRE_INTEGRATION"] ?? ""
        return !flag.isEmpty && flag != "0"
    }

    /// Whether integration suites run: configured, or required (and then failing loudly).
    static var shouldRun: Bool { isConfigured || isRequired }

    /// The variable's value, or nil when unset or empty.
    static func value(_ key: Key) -> String? {
        guard let text = ProcessInfo.processInfo.environment[key.rawValue], !text.isEmpty else { return nil }
        return text
    }

    /// The variable's value; for paths, also checks that the file or directory exists.
    /// - Throws: `MissingPrerequisite` naming the variable.
    static func require(_ key: Key) throws -> String {
        guard let text = value(key) else {
            throw MissingPrerequisite(
                variable: key.rawValue, problem: "not set (run `make test`, or export it as scripts/test.sh does)")
        }
        if key.isPath && !FileManager.default.fileExists(atPath: text) {
            throw MissingPrerequisite(variable: key.rawValue, problem: "\(text) does not exist (build it first?)")
        }
        return text
    }

    /// Creates a fresh directory under `TEST_TMPDIR` (or the system temporary directory when that is
    /// unset and integration is not required).
    /// - Throws: `MissingPrerequisite` when `TEST_TMPDIR` is required but missing.
    static func makeScratchDirectory(label: String) throws -> String {
        let base: String
        if let configured = value(.tmpDir) {
            base = configured
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        } else if isRequired {
            base = try require(.tmpDir)
        } else {
            base = NSTemporaryDirectory()
        }
        let safeLabel = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(40))
        let path = (base as NSString).appendingPathComponent(
            "\(safeLabel)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

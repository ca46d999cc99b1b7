/// The plugin's configuration, from `plugin_opt_conn_*` lines (which reach the plugin without the
/// `plugin_opt_` prefix) and the `PG_DSN` environment variable.
package struct ConnPluginOptions: Sendable, Equatable {
    /// How the broker's thread hands events to PostgreSQL.
    package enum Mode: String, Sendable, Equatable {
        /// Each callback waits (at most `timeout`) until its event is committed: seed 000's semantics.
        case sync
        /// Callbacks only enqueue; a writer thread commits in batches.
        case async
    }

    /// libpq connection string (keyword/value or URI). Never logged.
    package var dsn: String
    /// The longest the broker's thread waits for the database on one event; also the statement
    /// and connect timeout of the writer.
    package var timeoutMilliseconds: Int = 1000
    package var debug: Bool = false
    package var mode: Mode = .sync
    /// Recorded in `extra.broker_id`; presence from one broker never overrides another's.
    package var brokerID: String
    /// Directory of the durable spool for events that cannot be written yet.
    package var spoolDirectory: String
    /// Spool size limit; past it, new events are dropped and counted.
    package var spoolMaxBytes: Int = 256 * 1024 * 1024
    /// Events held in memory before they go to the spool.
    package var queueCapacity: Int = 100_000
    /// Most events written by one statement.
    package var batchSize: Int = 500
    /// Seconds between status publications under `$SYS/broker/conn-plugin/`; 0 disables them.
    package var statusIntervalSeconds: Int = 10
    /// Whether the broker keeps MQTT sessions across its own restart (its `persistence` setting,
    /// which a plugin cannot read). Decides what a clean stop records for clients whose sessions
    /// outlive their connections: kept, or ended.
    package var persistence: Persistence = .auto
    /// Rows of client_conn_events older than this many days are deleted by the writer's
    /// maintenance (at start, then every `maintenanceIntervalSeconds`); 0 keeps everything.
    /// client_sessions is latest state and never pruned.
    package var retentionDays: Int = 0
    /// Seconds between maintenance runs (the first runs once the writer is connected).
    package var maintenanceIntervalSeconds: Int = 3600

    package enum Persistence: String, Sendable, Equatable {
        /// True when the broker has a persistence_location (mosquitto.conf sets both on Debian).
        case auto
        case `true`
        case `false`
    }

    /// The option names this plugin reads, without `plugin_opt_`.
    package static let knownKeys: [String] = [
        "conn_pg_dsn", "conn_timeout_ms", "conn_debug", "conn_mode", "conn_broker_id", "conn_spool_dir",
        "conn_spool_max_mb", "conn_queue_size", "conn_batch_size", "conn_status_interval", "conn_persistence",
        "conn_retention_days", "conn_maintenance_interval",
    ]

    /// Parses the broker's option list.
    ///
    /// - Parameters:
    ///   - options: key/value pairs as the broker passes them (`conn_timeout_ms`, `250`).
    ///   - environmentDSN: the value of `PG_DSN`, used when `plugin_opt_conn_pg_dsn` is absent.
    ///   - defaultBrokerID: the host name, used when `plugin_opt_conn_broker_id` is absent.
    ///   - defaultSpoolDirectory: used when `plugin_opt_conn_spool_dir` is absent.
    /// - Returns: the options and one warning per option that was ignored.
    /// - Throws: `ConnPluginOptionError` naming the first option at fault.
    package static func parse(
        _ options: [(key: String, value: String)], environmentDSN: String?, defaultBrokerID: String,
        defaultSpoolDirectory: String
    ) throws(ConnPluginOptionError) -> (options: ConnPluginOptions, warnings: [String]) {
        var warnings: [String] = []
        var values: [String: String] = [:]
        for (rawKey, value) in options {
            let key = rawKey.lowercased()
            if knownKeys.contains(key) {
                if values[key] != nil {
                    warnings.append("plugin_opt_\(key) is given more than once; the last value is used.")
                }
                values[key] = value
            } else if key.hasPrefix("conn_") {
                warnings.append("unknown option plugin_opt_\(rawKey) is ignored (known: \(knownKeys.map { "plugin_opt_" + $0 }.joined(separator: ", "))).")
            }
        }

        let dsn: String
        if let configured = values["conn_pg_dsn"] {
            guard !configured.allSatisfy(\.isWhitespace) else {
                throw ConnPluginOptionError(option: "conn_pg_dsn", problem: "is empty")
            }
            dsn = configured
        } else if let environmentDSN, !environmentDSN.allSatisfy(\.isWhitespace) {
            dsn = environmentDSN
        } else {
            throw ConnPluginOptionError(
                option: "conn_pg_dsn",
                problem: "is missing: set plugin_opt_conn_pg_dsn (a libpq connection string or postgres:// URI) or the PG_DSN environment variable")
        }

        var result = ConnPluginOptions(dsn: dsn, brokerID: defaultBrokerID, spoolDirectory: defaultSpoolDirectory)
        if let text = values["conn_timeout_ms"] {
            result.timeoutMilliseconds = try integer(text, option: "conn_timeout_ms", range: 1...600_000, unit: "milliseconds")
        }
        if let text = values["conn_debug"] {
            result.debug = try boolean(text, option: "conn_debug")
        }
        if let text = values["conn_mode"] {
            guard let mode = Mode(rawValue: text.lowercased()) else {
                throw ConnPluginOptionError(option: "conn_mode", value: text, problem: "must be sync or async")
            }
            result.mode = mode
        }
        if let text = values["conn_broker_id"] {
            guard !text.isEmpty, text.count <= 200 else {
                throw ConnPluginOptionError(option: "conn_broker_id", value: text, problem: "must be 1 to 200 characters")
            }
            result.brokerID = text
        }
        if let text = values["conn_spool_dir"] {
            guard text.hasPrefix("/") else {
                throw ConnPluginOptionError(option: "conn_spool_dir", value: text, problem: "must be an absolute path")
            }
            result.spoolDirectory = text
        }
        if let text = values["conn_spool_max_mb"] {
            result.spoolMaxBytes = try integer(text, option: "conn_spool_max_mb", range: 1...1_048_576, unit: "megabytes") * 1024 * 1024
        }
        if let text = values["conn_queue_size"] {
            result.queueCapacity = try integer(text, option: "conn_queue_size", range: 1...10_000_000, unit: "events")
        }
        if let text = values["conn_batch_size"] {
            result.batchSize = try integer(text, option: "conn_batch_size", range: 1...10_000, unit: "events")
        }
        if let text = values["conn_status_interval"] {
            result.statusIntervalSeconds = try integer(text, option: "conn_status_interval", range: 0...86_400, unit: "seconds")
        }
        if let text = values["conn_persistence"] {
            guard let persistence = Persistence(rawValue: text.trimmingWhitespace().lowercased()) else {
                throw ConnPluginOptionError(option: "conn_persistence", value: text, problem: "must be auto, true or false")
            }
            result.persistence = persistence
        }
        if let text = values["conn_retention_days"] {
            result.retentionDays = try integer(
                text, option: "conn_retention_days", range: 0...36_500, unit: "days (0 keeps everything)")
        }
        if let text = values["conn_maintenance_interval"] {
            result.maintenanceIntervalSeconds = try integer(
                text, option: "conn_maintenance_interval", range: 1...86_400, unit: "seconds")
        }
        return (result, warnings)
    }

    private static func integer(_ text: String, option: String, range: ClosedRange<Int>, unit: String)
        throws(ConnPluginOptionError) -> Int
    {
        let trimmed = text.trimmingWhitespace()
        guard let value = Int(trimmed) else {
            throw ConnPluginOptionError(option: option, value: text, problem: "is not a whole number of \(unit)")
        }
        guard range.contains(value) else {
            throw ConnPluginOptionError(
                option: option, value: text, problem: "must be between \(range.lowerBound) and \(range.upperBound) \(unit)")
        }
        return value
    }

    private static func boolean(_ text: String, option: String) throws(ConnPluginOptionError) -> Bool {
        switch text.trimmingWhitespace().lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConnPluginOptionError(option: option, value: text, problem: "must be true or false")
        }
    }
}

/// A configuration value the plugin cannot work with; the message names the option.
package struct ConnPluginOptionError: Error, CustomStringConvertible, Equatable {
    /// The option name without `plugin_opt_` (`conn_timeout_ms`).
    package let option: String
    /// The offending value; never set for the DSN, which may hold a password.
    package let value: String?
    package let problem: String

    package init(option: String, value: String? = nil, problem: String) {
        self.option = option
        self.value = value
        self.problem = problem
    }

    package var description: String {
        if let value { return "plugin_opt_\(option) value '\(value)' \(problem)" }
        return "plugin_opt_\(option) \(problem)"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}

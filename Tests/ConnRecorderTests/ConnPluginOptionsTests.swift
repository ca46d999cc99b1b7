import ConnRecorder
import Testing

@Suite struct ConnPluginOptionsTests {
    private func parse(_ options: [(String, String)], env: String? = nil) throws(ConnPluginOptionError)
        -> (options: ConnPluginOptions, warnings: [String])
    {
        try ConnPluginOptions.parse(
            options.map { (key: $0.0, value: $0.1) }, environmentDSN: env, defaultBrokerID: "host-a",
            defaultSpoolDirectory: "/var/tmp/spool")
    }

    @Test func defaultsFollowTheSeed() throws {
        let (options, warnings) = try parse([("conn_pg_dsn", "dbname=mqtt")])
        #expect(options.dsn == "dbname=mqtt")
        #expect(options.timeoutMilliseconds == 1000)
        #expect(options.debug == false)
        #expect(options.mode == .sync)
        #expect(options.brokerID == "host-a")
        #expect(options.spoolDirectory == "/var/tmp/spool")
        #expect(warnings.isEmpty)
    }

    @Test func optionWinsOverEnvironment() throws {
        #expect(try parse([("conn_pg_dsn", "dbname=option")], env: "dbname=env").options.dsn == "dbname=option")
        #expect(try parse([], env: "dbname=env").options.dsn == "dbname=env")
    }

    @Test func missingDSNNamesTheOptionAndTheEnvironmentVariable() {
        #expect {
            try parse([], env: nil)
        } throws: { error in
            let text = "\(error)"
            return (error as? ConnPluginOptionError)?.option == "conn_pg_dsn" && text.contains("plugin_opt_conn_pg_dsn")
                && text.contains("PG_DSN")
        }
        #expect(throws: ConnPluginOptionError.self) { try parse([("conn_pg_dsn", "  ")], env: "dbname=x") }
    }

    @Test(arguments: ["abc", "-5", "0", "1.5", "", "600001"])
    func malformedTimeoutIsRejectedNamingOptionAndValue(_ value: String) {
        #expect {
            try parse([("conn_pg_dsn", "dbname=x"), ("conn_timeout_ms", value)])
        } throws: { error in
            guard let error = error as? ConnPluginOptionError else { return false }
            return error.option == "conn_timeout_ms" && "\(error)".contains("plugin_opt_conn_timeout_ms")
                && "\(error)".contains("'\(value)'")
        }
    }

    @Test(arguments: [("true", true), ("FALSE", false), ("yes", true), ("0", false), ("on", true)])
    func debugAcceptsCommonBooleans(_ value: String, _ expected: Bool) throws {
        #expect(try parse([("conn_pg_dsn", "dbname=x"), ("conn_debug", value)]).options.debug == expected)
    }

    @Test func badBooleanAndModeAreRejected() {
        #expect(throws: ConnPluginOptionError.self) { try parse([("conn_pg_dsn", "x=1"), ("conn_debug", "maybe")]) }
        #expect(throws: ConnPluginOptionError.self) { try parse([("conn_pg_dsn", "x=1"), ("conn_mode", "fast")]) }
        #expect(throws: ConnPluginOptionError.self) { try parse([("conn_pg_dsn", "x=1"), ("conn_spool_dir", "rel/dir")]) }
    }

    @Test func unknownConnOptionIsWarnedByName() throws {
        let (_, warnings) = try parse([("conn_pg_dsn", "dbname=x"), ("conn_colour", "blue"), ("other_thing", "1")])
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("plugin_opt_conn_colour") == true)
    }

    @Test func dsnValueNeverAppearsInErrors() {
        // Only the DSN can hold a password; no error built from options may quote it.
        let error = ConnPluginOptionError(option: "conn_pg_dsn", problem: "is empty")
        #expect(error.value == nil)
        #expect(!"\(error)".contains("'"))
    }

    @Test func asyncModeAndSizes() throws {
        let options = try parse([
            ("conn_pg_dsn", "dbname=x"), ("conn_mode", "ASYNC"), ("conn_batch_size", "100"),
            ("conn_spool_max_mb", "2"), ("conn_broker_id", "edge-1"),
        ]).options
        #expect(options.mode == .async)
        #expect(options.batchSize == 100)
        #expect(options.spoolMaxBytes == 2 * 1024 * 1024)
        #expect(options.brokerID == "edge-1")
    }

    @Test func retentionKeepsEverythingAndMaintainsHourlyByDefault() throws {
        let options = try parse([("conn_pg_dsn", "dbname=mqtt")]).options
        #expect(options.retentionDays == 0)
        #expect(options.maintenanceIntervalSeconds == 3600)
        let set = try parse([
            ("conn_pg_dsn", "dbname=mqtt"), ("conn_retention_days", " 30 "), ("conn_maintenance_interval", "5"),
        ]).options
        #expect(set.retentionDays == 30)
        #expect(set.maintenanceIntervalSeconds == 5)
    }

    @Test(arguments: ["-1", "abc", "1.5", "", "36501", "7d"])
    func badRetentionDaysNameTheOption(value: String) {
        #expect {
            try parse([("conn_pg_dsn", "dbname=mqtt"), ("conn_retention_days", value)])
        } throws: { error in
            (error as? ConnPluginOptionError)?.option == "conn_retention_days"
                && "\(error)".contains("plugin_opt_conn_retention_days")
        }
    }

    @Test(arguments: ["0", "-1", "86401", "hourly"])
    func badMaintenanceIntervalNamesTheOption(value: String) {
        #expect {
            try parse([("conn_pg_dsn", "dbname=mqtt"), ("conn_maintenance_interval", value)])
        } throws: { error in
            (error as? ConnPluginOptionError)?.option == "conn_maintenance_interval"
        }
    }
}

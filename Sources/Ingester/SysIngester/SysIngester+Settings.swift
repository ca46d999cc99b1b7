import ArgumentParser
import Foundation
import IngesterConfig

// The settings: the command line checked by the same rules as a --config file, or the file.
extension SysIngester {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The command line's options named the way messages name them (`port` → `--port`).
    static func optionName(_ field: String) -> String {
        switch field {
        case "name": "--broker-name"
        case "password": "--password (or SYS_INGESTER_PASSWORD)"
        case "tls.insecure": "--tls-insecure"
        default:
            "--"
                + field.replacingOccurrences(of: "tls.", with: "").replacingOccurrences(of: "_", with: "-")
        }
    }

    /// The options that only the single-broker command line takes (a `--config` file holds them).
    var singleBrokerOptions: [String] {
        let given: [(String, Bool)] = [
            ("--host", host != nil), ("--port", port != nil), ("--username", username != nil),
            ("--password", password != nil), ("--client-id", clientID != nil),
            ("--broker-name", brokerName != nil),
            ("--protocol", protocolVersion != nil), ("--keepalive", keepalive != nil),
            ("--cafile", cafile != nil),
            ("--capath", capath != nil), ("--cert", cert != nil), ("--key", key != nil),
            ("--tls-insecure", tlsInsecure), ("--dsn", dsn != nil),
            ("--burst-window-ms", burstWindowMs != nil),
            ("--max-burst", maxBurst != nil), ("--max-queue", maxQueue != nil),
            ("--retention-days", retentionDays != nil), ("--rollup-retention-days", rollupRetentionDays != nil),
            ("--maintenance-interval", maintenanceInterval != nil), ("--ui-listen", uiListen != nil),
            ("--ui-token-file", uiTokenFile != nil), ("--ui-dsn", uiDSN != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    /// Whether any option names a broker; without one, `--ui-listen` runs the dashboard alone.
    var namesABroker: Bool {
        host != nil || port != nil || username != nil || password != nil || clientID != nil || brokerName != nil
            || protocolVersion != nil || keepalive != nil || cafile != nil || capath != nil || cert != nil
            || key != nil || tlsInsecure
    }

    /// The command line as a one-broker configuration, checked by the same rules as a file.
    func commandLineSettings() throws(ConfigError) -> IngesterSettings {
        let validator = SettingsValidator(naming: Self.optionName, environment: Self.environment)
        let environmentPassword = Self.environment["SYS_INGESTER_PASSWORD"].flatMap {
            $0.isEmpty ? nil : $0
        }
        let dsn = try validator.database(inline: dsn, variable: nil, file: nil)
        let entry = BrokerEntry(
            name: brokerName, host: host, port: port, protocol: protocolVersion, keepalive: keepalive,
            clientID: clientID, username: username,
            tls: TLSEntry(cafile: cafile, capath: capath, cert: cert, key: key, insecure: tlsInsecure))
        let broker = try validator.broker(
            entry,
            password: (password ?? environmentPassword).map { .init(value: $0, field: "password") },
            defaultHost: "127.0.0.1", defaultName: "\(host ?? "127.0.0.1"):\(port ?? 1883)",
            database: dsn)
        let ui = try validator.dashboard(listen: uiListen, tokenFile: uiTokenFile, dsn: uiDSN)
        let level = try validator.logLevel(logLevel)
        let batching = try validator.batching(
            burstWindowMs: burstWindowMs, maxBurst: maxBurst, maxQueue: maxQueue)
        let retention = try validator.retention(
            retentionDays: retentionDays, rollupRetentionDays: rollupRetentionDays,
            maintenanceInterval: maintenanceInterval)
        return IngesterSettings(
            brokers: ui != nil && !namesABroker ? [] : [broker], dsn: dsn, logLevel: level, burstWindowMs: batching.burstWindowMs,
            maxBurst: batching.maxBurst, maxQueue: batching.maxQueue,
            metricsListen: try validator.listenAddress(metricsListen), retentionDays: retention.retentionDays,
            rollupRetentionDays: retention.rollupRetentionDays,
            maintenanceIntervalSeconds: retention.maintenanceIntervalSeconds, ui: ui)
    }

    func validate() throws {
        guard config != nil else {
            do {
                _ = try commandLineSettings()
            } catch {
                throw ValidationError(error.description)
            }
            return
        }
        if let metricsListen {
            do {
                _ = try ListenAddress.parse(metricsListen)
            } catch {
                throw ValidationError(error.description)
            }
        }
        if let option = singleBrokerOptions.first {
            throw ValidationError(
                "--config cannot be combined with \(option): the file holds the brokers and settings.")
        }
        if let logLevel, !IngesterSettings.logLevels.contains(logLevel) {
            throw ValidationError(
                "--log-level must be trace, debug, info, notice, warning, error or critical, not '\(logLevel)'."
            )
        }
    }

    /// The settings from `--config` or the command line; a bad file ends the process with status
    /// 64 and one line naming the entry and the field, before anything connects.
    func loadSettings() throws -> IngesterSettings {
        guard let config else {
            do {
                return try commandLineSettings()
            } catch {
                throw ValidationError(error.description)
            }
        }
        do {
            return try ConfigFile.load(path: config, environment: Self.environment)
        } catch {
            FileHandle.standardError.write(Data("Error: \(config): \(error)\n".utf8))
            throw ExitCode.validationFailure
        }
    }
}

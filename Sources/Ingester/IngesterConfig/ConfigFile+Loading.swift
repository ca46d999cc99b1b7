import Foundation
import Storage
import Yams

// MARK: - Reading the file

extension ConfigFile {
    /// Reads, decodes and checks a `--config` file: everything is refused here, before any
    /// connection is attempted.
    /// - Parameters:
    ///   - environment: where `password_env`, `dsn_env` and `PG_DSN` are looked up.
    /// - Throws: `ConfigError` naming the entry (index and name) and the field.
    package static func load(path: String, environment: [String: String])
        throws(ConfigError)
        -> IngesterSettings
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(field: nil, message: "cannot read the file.")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self)).settings(
            validator: SettingsValidator(environment: environment))
    }

    /// Decodes YAML text; a key the format does not know is an error (a typo would otherwise be
    /// a silently ignored setting).
    /// - Throws: `ConfigError` for invalid YAML (with its line and column, not the line's text:
    ///   it may hold a secret), an unknown field or a value of the wrong kind.
    package static func parse(yaml: String) throws(ConfigError) -> ConfigFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(
                    field: nil, message: "the file is empty; it needs at least a brokers list.")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(field: nil, message: "not valid YAML: \(Self.describe(error))")
        }
        try checkFields(root)
        do {
            return try YAMLDecoder().decode(ConfigFile.self, from: root)
        } catch let error as DecodingError {
            throw Self.describe(error, in: root)
        } catch {
            throw ConfigError(field: nil, message: "cannot decode the file: \(Self.describe(error))")
        }
    }

    /// Checks every broker and the shared settings and fills in the defaults.
    package func settings(validator: SettingsValidator) throws(ConfigError)
        -> IngesterSettings
    {
        let dsn = try validator.database(inline: dsn, variable: dsnEnv, file: dsnFile)
        let logLevel = try validator.logLevel(logLevel)
        let batching = try validator.batching(
            burstWindowMs: burstWindowMs, maxBurst: maxBurst, maxQueue: maxQueue)
        let metricsListen = try validator.listenAddress(metricsListen)
        let retention = try validator.retention(
            retentionDays: retentionDays, rollupRetentionDays: rollupRetentionDays,
            maintenanceInterval: maintenanceInterval)
        let ui = try validator.dashboard(listen: uiListen, tokenFile: uiTokenFile, dsn: uiDSN)
        let entries = brokers ?? []
        guard !entries.isEmpty || ui != nil else {
            throw ConfigError(
                field: "brokers", message: "brokers must list at least one broker. (With ui_listen set, none is needed: the dashboard alone.)")
        }
        var brokers: [BrokerSettings] = []
        var indexByName: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            do throws(ConfigError) {
                let broker = try validator.broker(
                    entry, password: try validator.password(of: entry),
                    database: dsn)
                if let first = indexByName[broker.name] {
                    throw ConfigError(
                        field: "name",
                        message: "name '\(broker.name)' is also brokers[\(first)]'s: names must be unique.")
                }
                indexByName[broker.name] = index
                brokers.append(broker)
            } catch {
                var located = error
                located.entry = ConfigError.Entry(index: index, name: entry.name)
                throw located
            }
        }
        var warnings: [String] = []
        if let inline = self.dsn, (try? ConnectionString.parse(inline))?["password"] != nil {
            warnings.append(
                "The config file's dsn holds a database password; dsn_file or dsn_env keep it out of the file."
            )
        }
        return IngesterSettings(
            brokers: brokers, dsn: dsn, logLevel: logLevel, burstWindowMs: batching.burstWindowMs,
            maxBurst: batching.maxBurst, maxQueue: batching.maxQueue, metricsListen: metricsListen,
            retentionDays: retention.retentionDays, rollupRetentionDays: retention.rollupRetentionDays,
            maintenanceIntervalSeconds: retention.maintenanceIntervalSeconds, ui: ui, warnings: warnings)
    }
}

// MARK: - Unknown fields and decoding errors

extension ConfigFile {
    private static func fieldList<Key: CodingKey & CaseIterable>(_: Key.Type) -> [String] {
        Key.allCases.map(\.stringValue)
    }

    /// Refuses keys the format does not have, at the top, in each broker entry and in `tls:`.
    private static func checkFields(_ root: Node) throws(ConfigError) {
        guard let top = root.mapping else {
            throw ConfigError(
                field: nil, message: "the file must be a mapping of settings with a brokers list.")
        }
        try checkKeys(of: top, allowed: fieldList(CodingKeys.self), prefix: "", entry: nil)
        guard let entries = top["brokers"]?.sequence else { return }
        for (index, node) in entries.enumerated() {
            guard let entry = node.mapping else { continue }  // the decoder names the wrong kind
            let label = ConfigError.Entry(index: index, name: entry["name"]?.string)
            try checkKeys(
                of: entry, allowed: fieldList(BrokerEntry.CodingKeys.self), prefix: "", entry: label)
            if let tls = entry["tls"]?.mapping {
                try checkKeys(
                    of: tls, allowed: fieldList(TLSEntry.CodingKeys.self), prefix: "tls.", entry: label)
            }
        }
    }

    private static func checkKeys(
        of mapping: Node.Mapping, allowed: [String], prefix: String, entry: ConfigError.Entry?
    ) throws(ConfigError) {
        for key in mapping.keys {
            let name = key.string ?? "\(key)"
            guard !allowed.contains(name) else { continue }
            if name == "password" && entry != nil {
                throw ConfigError(
                    entry: entry, field: "password",
                    message: "password: not read from the file; name it with password_env or password_file.")
            }
            throw ConfigError(
                entry: entry, field: prefix + name,
                message:
                    "unknown field '\(prefix + name)' (known: \(allowed.map { prefix + $0 }.joined(separator: ", ")))."
            )
        }
    }

    /// What a field's value must be, for messages that never repeat the value itself.
    private static func expectedKind(of field: String) -> String {
        switch field {
        case "port", "keepalive", "burst_window_ms", "max_burst", "max_queue", "retention_days",
            "rollup_retention_days", "maintenance_interval":
            "a whole number"
        case "tls.insecure": "true or false"
        case "brokers": "a list of broker entries"
        case "": "a mapping of fields"
        case "tls": "a mapping (cafile, capath, cert, key, insecure)"
        default: "text"
        }
    }

    /// A decoding error as a `ConfigError` naming the entry and the field.
    private static func describe(_ error: DecodingError, in root: Node) -> ConfigError {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
            .keyNotFound(_, let context),
            .dataCorrupted(let context):
            path = context.codingPath
        @unknown default:
            path = []
        }
        var entry: ConfigError.Entry?
        var fieldKeys = path
        if path.count >= 2, path[0].stringValue == CodingKeys.brokers.rawValue,
            let index = path[1].intValue
        {
            let name = root.mapping?["brokers"]?.sequence.flatMap { index < $0.count ? $0[index] : nil }?
                .mapping?["name"]?.string
            entry = ConfigError.Entry(index: index, name: name)
            fieldKeys = Array(path.dropFirst(2))
        }
        let field = fieldKeys.map(\.stringValue).joined(separator: ".")
        let subject = field.isEmpty ? (entry == nil ? "the file" : "the entry") : field
        return ConfigError(
            entry: entry, field: field.isEmpty ? nil : field,
            message: "\(subject) must be \(expectedKind(of: field)).")
    }

    /// A YAML syntax error with its position but without the offending text.
    private static func describe(_ error: any Error) -> String {
        guard let yaml = error as? YamlError else { return "\(type(of: error))" }
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)."
        case .reader(let problem, _, _, _):
            return "\(problem)."
        case .duplicatedKeysInMapping(let duplicates, let context):
            return
                "the key \(duplicates.joined(separator: ", ")) appears twice (line \(context.mark.line))."
        default:
            return "the YAML parser failed."
        }
    }
}

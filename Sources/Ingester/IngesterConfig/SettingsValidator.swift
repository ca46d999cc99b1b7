import Foundation
import Storage

/// Every check of the ingester's settings, shared by the command line and the `--config` file, so
/// both accept and refuse the same values. Messages name each field the way its source does
/// (`naming`): the file's key (`tls.cafile`) or the command-line option (`--cafile`).
package struct SettingsValidator: Sendable {
    /// A password and the field it came from (for messages; the value is never shown).
    package struct Password: Sendable, Equatable {
        package var value: String
        package var field: String

        package init(value: String, field: String) {
            self.value = value
            self.field = field
        }
    }

    /// The name of a field (`port`, `tls.cafile`, `password`, `dsn`) in messages.
    package var naming: @Sendable (String) -> String
    /// The environment `password_env`, `dsn_env` and the default `PG_DSN` are read from.
    package var environment: [String: String]

    package init(
        naming: @escaping @Sendable (String) -> String = { $0 }, environment: [String: String]
    ) {
        self.naming = naming
        self.environment = environment
    }

    private func problem(_ field: String, _ message: String) -> ConfigError {
        ConfigError(field: field, message: message)
    }

    // MARK: - Brokers

    /// Checks one broker and fills in the defaults.
    /// - Parameters:
    ///   - defaultName: the name when the entry has none (the command line's `host:port`); nil
    ///     makes the name required (the file).
    ///   - database: the connection string the ingester writes to, part of the default client id
    ///     (`StableClientID`) when the entry sets none.
    /// - Throws: `ConfigError` naming the field (without the entry: the caller knows it).
    package func broker(
        _ entry: BrokerEntry, password: Password?, defaultHost: String? = nil,
        defaultName: String? = nil,
        database: String
    ) throws(ConfigError) -> BrokerSettings {
        guard let host = entry.host ?? defaultHost else {
            throw problem("host", "\(naming("host")) is missing.")
        }
        guard !host.isEmpty else { throw problem("host", "\(naming("host")) must not be empty.") }
        let port = entry.port ?? 1883
        guard (1...65535).contains(port) else {
            throw problem("port", "\(naming("port")) must be between 1 and 65535, not \(port).")
        }
        let keepalive = entry.keepalive ?? 60
        guard (5...65535).contains(keepalive) else {
            throw problem(
                "keepalive", "\(naming("keepalive")) must be between 5 and 65535 seconds, not \(keepalive)."
            )
        }
        let versionText = entry.protocol ?? BrokerSettings.ProtocolVersion.mqttv311.rawValue
        guard let version = BrokerSettings.ProtocolVersion(rawValue: versionText) else {
            throw problem(
                "protocol",
                "\(naming("protocol")) must be mqttv31, mqttv311 or mqttv5, not '\(versionText)'.")
        }
        guard let name = entry.name ?? defaultName else {
            throw problem("name", "\(naming("name")) is missing.")
        }
        guard !name.isEmpty else { throw problem("name", "\(naming("name")) must not be empty.") }
        let clientID =
            entry.clientID
            ?? StableClientID.make(name: name, host: host, port: port, username: entry.username, database: database)
        guard !clientID.isEmpty else {
            throw problem("client_id", "\(naming("client_id")) must not be empty.")
        }
        guard clientID.utf8.count <= 65535 else {
            throw problem("client_id", "\(naming("client_id")) is longer than 65535 bytes.")
        }
        if version == .mqttv31 && clientID.utf8.count > 23 {
            throw problem(
                "client_id",
                "\(naming("client_id")) must be at most 23 bytes with \(naming("protocol")) mqttv31"
                    + (entry.clientID == nil ? " (the default '\(clientID)' is longer: set one)." : "."))
        }
        if let username = entry.username, username.isEmpty {
            throw problem("username", "\(naming("username")) must not be empty.")
        }
        if let password, entry.username == nil {
            throw problem(password.field, "\(naming(password.field)) needs \(naming("username")).")
        }
        return BrokerSettings(
            name: name, host: host, port: port, clientID: clientID, username: entry.username,
            password: password?.value, protocolVersion: version, keepalive: keepalive,
            tls: try tls(entry.tls))
    }

    /// The TLS settings of an entry: nil without `cafile` and `capath`.
    private func tls(_ entry: TLSEntry?) throws(ConfigError) -> BrokerSettings.TLS? {
        guard let entry else { return nil }
        for (field, path) in [
            ("tls.cafile", entry.cafile), ("tls.cert", entry.cert), ("tls.key", entry.key),
        ] {
            guard let path else { continue }
            guard Self.isReadableFile(path) else {
                throw problem(field, "\(naming(field)) \(path): no readable file there.")
            }
        }
        if let capath = entry.capath {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: capath, isDirectory: &isDirectory),
                isDirectory.boolValue
            else {
                throw problem("tls.capath", "\(naming("tls.capath")) \(capath): not a directory.")
            }
        }
        if (entry.cert == nil) != (entry.key == nil) {
            throw problem(
                entry.cert == nil ? "tls.key" : "tls.cert",
                "\(naming("tls.cert")) and \(naming("tls.key")) must be given together.")
        }
        let insecure = entry.insecure ?? false
        guard entry.cafile != nil || entry.capath != nil else {
            guard entry.cert == nil && !insecure else {
                throw problem(
                    entry.cert != nil ? "tls.cert" : "tls.insecure",
                    "\(naming("tls.cert")), \(naming("tls.key")) and \(naming("tls.insecure")) need "
                        + "\(naming("tls.cafile")) or \(naming("tls.capath")) (TLS).")
            }
            return nil
        }
        return BrokerSettings.TLS(
            caFile: entry.cafile, caPath: entry.capath, certFile: entry.cert, keyFile: entry.key,
            insecure: insecure)
    }

    /// The password an entry names: the variable of `password_env` or the file of `password_file`
    /// (its trailing newline is not part of it). Neither gives nil.
    /// - Throws: `ConfigError` for both at once, an unset variable, or an unreadable or empty file;
    ///   the message never contains the password.
    package func password(of entry: BrokerEntry) throws(ConfigError) -> Password? {
        switch (entry.passwordEnv, entry.passwordFile) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw problem("password_file", "password_env and password_file exclude each other: give one.")
        case (let variable?, nil):
            guard !variable.isEmpty else {
                throw problem("password_env", "password_env must not be empty.")
            }
            guard let value = environment[variable], !value.isEmpty else {
                throw problem(
                    "password_env", "password_env: the environment variable \(variable) is not set.")
            }
            return Password(value: value, field: "password_env")
        case (nil, let path?):
            let value = try secretFile(path, field: "password_file")
            return Password(value: value, field: "password_file")
        }
    }

    /// The contents of a secret file without its trailing line break.
    private func secretFile(_ path: String, field: String) throws(ConfigError) -> String {
        guard Self.isReadableFile(path), let data = FileManager.default.contents(atPath: path) else {
            throw problem(field, "\(field) \(path): no readable file there.")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }  // "\r\n" is one Character in Swift
        guard !text.isEmpty else { throw problem(field, "\(field) \(path): the file is empty.") }
        return text
    }

    private static func isReadableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
            && FileManager.default.isReadableFile(atPath: path)
    }

    // MARK: - Shared settings

    /// The database: the inline value, a file's contents, or an environment variable
    /// (`variable`, default `PG_DSN`); at most one of inline and file, and not with an explicit variable.
    /// - Throws: `ConfigError` when none is set, several are, or libpq cannot parse it (the
    ///   message quotes no part of the string).
    package func database(inline: String?, variable: String?, file: String?) throws(ConfigError)
        -> String
    {
        let given = [("dsn", inline), ("dsn_env", variable), ("dsn_file", file)].filter { $0.1 != nil }
            .map(\.0)
        guard given.count <= 1 else {
            throw problem(
                given[1], "\(given.map(naming).joined(separator: " and ")) exclude each other: give one.")
        }
        let dsn: String
        let source: String
        if let inline {
            (dsn, source) = (inline, naming("dsn"))
        } else if let file {
            (dsn, source) = (
                try secretFile(file, field: naming("dsn_file")), "\(naming("dsn_file")) \(file)"
            )
        } else {
            let name = variable ?? IngesterSettings.defaultDSNVariable
            guard let value = environment[name], !value.isEmpty else {
                throw problem(
                    variable == nil ? "dsn" : "dsn_env",
                    variable == nil
                        ? "No database: \(naming("dsn")) is not given and the environment variable \(name) is not set."
                        : "\(naming("dsn_env")): the environment variable \(name) is not set.")
            }
            (dsn, source) = (value, "the environment variable \(name)")
        }
        do {
            try ConnectionString.validate(dsn)
        } catch {
            throw problem(
                given.first ?? "dsn", "\(source) is not a valid connection string: \(error.message)")
        }
        return dsn
    }

    /// A log level name.
    package func logLevel(_ text: String?) throws(ConfigError) -> String {
        let level = text ?? IngesterSettings.defaultLogLevel
        guard IngesterSettings.logLevels.contains(level) else {
            throw problem(
                "log_level",
                "\(naming("log_level")) must be trace, debug, info, notice, warning, error or critical, not '\(level)'."
            )
        }
        return level
    }

    /// A whole number in `range`, or `fallback` when not given.
    package func number(
        _ value: Int?, _ field: String, in range: ClosedRange<Int>, default fallback: Int
    )
        throws(ConfigError) -> Int
    {
        let number = value ?? fallback
        guard range.contains(number) else {
            throw problem(
                field, "\(naming(field)) must be \(range.lowerBound)-\(range.upperBound), not \(number).")
        }
        return number
    }

    /// The batching settings (burst window, burst size, queue bound), each with its default.
    package func batching(burstWindowMs: Int?, maxBurst: Int?, maxQueue: Int?) throws(ConfigError)
        -> (
            burstWindowMs: Int, maxBurst: Int, maxQueue: Int
        )
    {
        (
            try number(
                burstWindowMs, "burst_window_ms", in: 1...10000,
                default: IngesterSettings.defaultBurstWindowMs),
            try number(maxBurst, "max_burst", in: 1...100_000, default: IngesterSettings.defaultMaxBurst),
            try number(
                maxQueue, "max_queue", in: 100...10_000_000, default: IngesterSettings.defaultMaxQueue)
        )
    }

    /// The retention settings (history days, rollup days, maintenance interval), each with its default.
    package func retention(retentionDays: Int?, rollupRetentionDays: Int?, maintenanceInterval: Int?)
        throws(ConfigError) -> (retentionDays: Int, rollupRetentionDays: Int, maintenanceIntervalSeconds: Int)
    {
        (
            try number(
                retentionDays, "retention_days", in: 0...36_500, default: IngesterSettings.defaultRetentionDays),
            try number(
                rollupRetentionDays, "rollup_retention_days", in: 0...36_500,
                default: IngesterSettings.defaultRollupRetentionDays),
            try number(
                maintenanceInterval, "maintenance_interval", in: 1...86_400,
                default: IngesterSettings.defaultMaintenanceIntervalSeconds)
        )
    }

    /// `metrics_listen` as `HOST:PORT`.
    package func listenAddress(_ text: String?) throws(ConfigError) -> ListenAddress? {
        guard let text else { return nil }
        do {
            return try ListenAddress.parse(text, option: naming("metrics_listen"))
        } catch {
            throw problem("metrics_listen", error.description)
        }
    }

    /// The dashboard's settings: `ui_listen` (`HOST:PORT`), `ui_token_file` (a readable, non-empty
    /// file; its first line is the token) and `ui_dsn` (a connection string). The other two need
    /// `ui_listen`.
    package func dashboard(listen: String?, tokenFile: String?, dsn: String?) throws(ConfigError) -> DashboardSettings? {
        guard let listen else {
            if tokenFile != nil {
                throw problem("ui_token_file", "\(naming("ui_token_file")) needs \(naming("ui_listen")).")
            }
            if dsn != nil { throw problem("ui_dsn", "\(naming("ui_dsn")) needs \(naming("ui_listen")).") }
            return nil
        }
        let address: ListenAddress
        do {
            address = try ListenAddress.parse(listen, option: naming("ui_listen"))
        } catch {
            throw problem("ui_listen", error.description)
        }
        var token: String?
        if let tokenFile {
            let text = try secretFile(tokenFile, field: naming("ui_token_file"))
            guard !text.contains(where: { $0.isNewline || $0 == " " || $0 == "\t" }) else {
                throw problem(
                    "ui_token_file",
                    "\(naming("ui_token_file")) \(tokenFile): the token must be one line without spaces (a bearer token).")
            }
            token = text
        }
        if let dsn {
            do {
                try ConnectionString.validate(dsn)
            } catch {
                throw problem("ui_dsn", "\(naming("ui_dsn")) is not a valid connection string: \(error.message)")
            }
        }
        return DashboardSettings(listen: address, token: token, tokenFile: tokenFile, dsn: dsn)
    }
}

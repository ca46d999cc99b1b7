/// The `--config` file as written: every field optional, so that what is missing or wrong is
/// reported by `SettingsValidator` with the entry and the field, not by the decoder.
///
/// Field names are the file's (snake_case); `ConfigFile.load` rejects any other key.
package struct ConfigFile: Decodable, Equatable, Sendable {
    package var dsn: String?
    package var dsnEnv: String?
    package var dsnFile: String?
    package var logLevel: String?
    package var burstWindowMs: Int?
    package var maxBurst: Int?
    package var maxQueue: Int?
    /// `HOST:PORT` of the Prometheus and health endpoint (off when absent).
    package var metricsListen: String?
    package var retentionDays: Int?
    package var rollupRetentionDays: Int?
    /// Seconds between maintenance runs.
    package var maintenanceInterval: Int?
    /// `HOST:PORT` of the web dashboard (off when absent).
    package var uiListen: String?
    /// A file holding the dashboard's bearer token.
    package var uiTokenFile: String?
    /// The database the dashboard reads, when not the ingester's.
    package var uiDSN: String?
    package var brokers: [BrokerEntry]?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case dsn
        case dsnEnv = "dsn_env"
        case dsnFile = "dsn_file"
        case logLevel = "log_level"
        case burstWindowMs = "burst_window_ms"
        case maxBurst = "max_burst"
        case maxQueue = "max_queue"
        case metricsListen = "metrics_listen"
        case retentionDays = "retention_days"
        case rollupRetentionDays = "rollup_retention_days"
        case maintenanceInterval = "maintenance_interval"
        case uiListen = "ui_listen"
        case uiTokenFile = "ui_token_file"
        case uiDSN = "ui_dsn"
        case brokers
    }

    package init(
        dsn: String? = nil, dsnEnv: String? = nil, dsnFile: String? = nil, logLevel: String? = nil,
        burstWindowMs: Int? = nil, maxBurst: Int? = nil, maxQueue: Int? = nil,
        metricsListen: String? = nil, retentionDays: Int? = nil, rollupRetentionDays: Int? = nil,
        maintenanceInterval: Int? = nil, uiListen: String? = nil, uiTokenFile: String? = nil, uiDSN: String? = nil,
        brokers: [BrokerEntry]? = nil
    ) {
        self.uiListen = uiListen
        self.uiTokenFile = uiTokenFile
        self.uiDSN = uiDSN
        self.retentionDays = retentionDays
        self.rollupRetentionDays = rollupRetentionDays
        self.maintenanceInterval = maintenanceInterval
        self.dsn = dsn
        self.dsnEnv = dsnEnv
        self.dsnFile = dsnFile
        self.logLevel = logLevel
        self.burstWindowMs = burstWindowMs
        self.maxBurst = maxBurst
        self.maxQueue = maxQueue
        self.metricsListen = metricsListen
        self.brokers = brokers
    }
}

/// One entry of `brokers:`; the command line's broker options make one too.
package struct BrokerEntry: Decodable, Equatable, Sendable {
    package var name: String?
    package var host: String?
    package var port: Int?
    package var `protocol`: String?
    package var keepalive: Int?
    package var clientID: String?
    package var username: String?
    /// The name of an environment variable holding the password.
    package var passwordEnv: String?
    /// A file holding the password (one trailing newline is not part of it).
    package var passwordFile: String?
    package var tls: TLSEntry?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case name, host, port, `protocol`, keepalive
        case clientID = "client_id"
        case username
        case passwordEnv = "password_env"
        case passwordFile = "password_file"
        case tls
    }

    package init(
        name: String? = nil, host: String? = nil, port: Int? = nil, protocol: String? = nil,
        keepalive: Int? = nil,
        clientID: String? = nil, username: String? = nil, passwordEnv: String? = nil,
        passwordFile: String? = nil,
        tls: TLSEntry? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.protocol = `protocol`
        self.keepalive = keepalive
        self.clientID = clientID
        self.username = username
        self.passwordEnv = passwordEnv
        self.passwordFile = passwordFile
        self.tls = tls
    }
}

/// A broker entry's `tls:` block; present with `cafile` or `capath`, TLS is on.
package struct TLSEntry: Decodable, Equatable, Sendable {
    package var cafile: String?
    package var capath: String?
    package var cert: String?
    package var key: String?
    package var insecure: Bool?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case cafile, capath, cert, key, insecure
    }

    package init(
        cafile: String? = nil, capath: String? = nil, cert: String? = nil, key: String? = nil,
        insecure: Bool? = nil
    ) {
        self.cafile = cafile
        self.capath = capath
        self.cert = cert
        self.key = key
        self.insecure = insecure
    }
}

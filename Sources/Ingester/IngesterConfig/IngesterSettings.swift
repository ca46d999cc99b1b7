/// Everything the ingester runs with, validated: the brokers and the settings they share.
///
/// The command line makes one with one broker; a `--config` file one with as many as it lists.
package struct IngesterSettings: Sendable, Equatable {
    /// In file order; names are unique.
    package var brokers: [BrokerSettings]
    /// libpq connection string; log it only through `ConnectionString.redacted`.
    package var dsn: String
    /// A swift-log level name (`trace` ... `critical`).
    package var logLevel: String
    package var burstWindowMs: Int
    package var maxBurst: Int
    package var maxQueue: Int
    /// Where the metrics and health endpoint will listen, once it exists; parsed and kept only.
    package var metricsListen: ListenAddress?
    /// broker_metrics, events, closed sessions and inactive subscriptions older than this many
    /// days are deleted (at start, then every `maintenanceIntervalSeconds`); 0 keeps everything.
    package var retentionDays: Int
    /// broker_metrics_rollup buckets older than this many days are deleted; 0 keeps them.
    package var rollupRetentionDays: Int
    package var maintenanceIntervalSeconds: Int
    /// The web dashboard and JSON API; nil: not served. With it, `brokers` may be empty (the
    /// dashboard alone, for an install that runs only the conn-plugin).
    package var ui: DashboardSettings?
    /// Warnings to log once logging is up (e.g. a password written into the file's `dsn`).
    package var warnings: [String]

    package static let logLevels = [
        "trace", "debug", "info", "notice", "warning", "error", "critical",
    ]
    package static let defaultLogLevel = "info"
    package static let defaultBurstWindowMs = 200
    package static let defaultMaxBurst = 2000
    package static let defaultMaxQueue = 200_000
    /// Keep everything unless told otherwise: deleting history is the operator's decision.
    package static let defaultRetentionDays = 0
    package static let defaultRollupRetentionDays = 0
    package static let defaultMaintenanceIntervalSeconds = 3600
    /// The environment variable read for the database when nothing else names it.
    package static let defaultDSNVariable = "PG_DSN"

    package init(
        brokers: [BrokerSettings], dsn: String, logLevel: String = defaultLogLevel,
        burstWindowMs: Int = defaultBurstWindowMs, maxBurst: Int = defaultMaxBurst,
        maxQueue: Int = defaultMaxQueue,
        metricsListen: ListenAddress? = nil, retentionDays: Int = defaultRetentionDays,
        rollupRetentionDays: Int = defaultRollupRetentionDays,
        maintenanceIntervalSeconds: Int = defaultMaintenanceIntervalSeconds, ui: DashboardSettings? = nil,
        warnings: [String] = []
    ) {
        self.ui = ui
        self.retentionDays = retentionDays
        self.rollupRetentionDays = rollupRetentionDays
        self.maintenanceIntervalSeconds = maintenanceIntervalSeconds
        self.brokers = brokers
        self.dsn = dsn
        self.logLevel = logLevel
        self.burstWindowMs = burstWindowMs
        self.maxBurst = maxBurst
        self.maxQueue = maxQueue
        self.metricsListen = metricsListen
        self.warnings = warnings
    }
}

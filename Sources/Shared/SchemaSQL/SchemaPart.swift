/// One file of schema/ as the programs apply it at start: its SQL, and the relations it creates,
/// whose absence means the file is not (fully) applied. Every file can be applied again (CREATE
/// ... IF NOT EXISTS, CREATE OR REPLACE VIEW), so a part with one relation missing is applied whole.
package struct SchemaPart: Sendable, Equatable {
    /// `schema/003_presence.sql`: how the logs and messages name it, so a person can apply it by hand.
    package let file: String
    package let sql: String
    package let relations: [String]

    package static func == (lhs: SchemaPart, rhs: SchemaPart) -> Bool { lhs.file == rhs.file }
}

extension SchemaPart {
    package static let connPluginTables = SchemaPart(
        file: "schema/001_conn_plugin.sql", sql: SchemaFiles.connPluginTables,
        relations: ["client_conn_events", "client_sessions"])
    package static let connPluginKeys = SchemaPart(
        file: "schema/002_conn_plugin_keys.sql", sql: SchemaFiles.connPluginKeys,
        relations: ["client_conn_events_event_key_idx"])
    package static let presence = SchemaPart(
        file: "schema/003_presence.sql", sql: SchemaFiles.presence,
        relations: ["broker_status", "client_broker_presence", "client_session_ends", "client_presence"])
    package static let sysIngesterTables = SchemaPart(
        file: "schema/010_sys_ingester.sql", sql: SchemaFiles.sysIngesterTables,
        relations: ["broker_metrics", "events", "clients", "sessions", "subscriptions"])
    package static let ingestGaps = SchemaPart(
        file: "schema/015_ingest_gaps.sql", sql: SchemaFiles.ingestGaps, relations: ["ingest_gaps"])
    package static let views = SchemaPart(
        file: "schema/020_views.sql", sql: SchemaFiles.views,
        relations: [
            "connected_now", "live_subscriptions", "latest_metrics", "connects_per_minute", "recent_activity",
            "conn_online_now", "conn_frequent_droppers", "presence_drift",
        ])
    package static let retentionRollups = SchemaPart(
        file: "schema/030_retention_rollups.sql", sql: SchemaFiles.retentionRollups,
        relations: [
            "maintenance_runs", "broker_metrics_rollup", "client_daily_stats", "connected_clients_daily",
            "top_droppers_week",
        ])
    package static let dailyStatsFolds = SchemaPart(
        file: "schema/031_daily_stats_folds.sql", sql: SchemaFiles.dailyStatsFolds,
        relations: ["client_daily_stats_folds"])
    package static let dashboardIndexes = SchemaPart(
        file: "schema/040_dashboard.sql", sql: SchemaFiles.dashboardIndexes,
        relations: ["client_daily_stats_unclean_day_idx"])
}

import SchemaSQL

/// The SQL the ingester applies at start, in order, when one of its relations is missing.
package enum IngestSchema {
    /// Every file in the order it must be applied (the views read the tables).
    package static let all: [(file: String, sql: String)] = [
        ("schema/001_conn_plugin.sql", SchemaFiles.connPluginTables),
        ("schema/003_presence.sql", SchemaFiles.presence),
        ("schema/010_sys_ingester.sql", SchemaFiles.sysIngesterTables),
        ("schema/015_ingest_gaps.sql", SchemaFiles.ingestGaps),
        ("schema/020_views.sql", SchemaFiles.views),
        ("schema/030_retention_rollups.sql", SchemaFiles.retentionRollups),
        ("schema/040_dashboard.sql", SchemaFiles.dashboardIndexes),
    ]

    /// The relations the ingester needs; if any is missing the whole schema is applied.
    package static let requiredRelations = [
        "broker_metrics", "events", "clients", "sessions", "subscriptions", "client_conn_events", "client_sessions",
        "broker_status", "ingest_gaps", "client_broker_presence", "client_session_ends", "client_presence",
        "connected_now", "live_subscriptions", "latest_metrics", "connects_per_minute", "recent_activity",
        "conn_online_now", "conn_frequent_droppers", "presence_drift", "maintenance_runs", "broker_metrics_rollup",
        "client_daily_stats", "connected_clients_daily", "top_droppers_week", "client_daily_stats_unclean_day_idx",
    ]
}

/// The SQL files of schema/, compiled into the programs.
///
/// `Sources/Shared/SchemaSQL/schema` is a link to the package's `schema/` (SwiftPM wants a target's
/// resources inside the target), which Package.swift embeds with `.embedInCode`: each file
/// becomes a `[UInt8]` constant of the generated `PackageResources` (no Foundation, no bundle to
/// install), so the programs apply exactly the files users apply by hand.
package enum SchemaFiles {
    /// Every file, in the order it must be applied (the views read the tables). The programs apply
    /// some of them at start (PostgresEventStore.prepareSchema, IngestSchema); 004 is applied by hand.
    package static let all: [(file: String, sql: String)] = [
        ("schema/001_conn_plugin.sql", connPluginTables),
        ("schema/002_conn_plugin_keys.sql", connPluginKeys),
        ("schema/003_presence.sql", presence),
        ("schema/004_history_indexes.sql", historyIndexes),
        ("schema/010_sys_ingester.sql", sysIngesterTables),
        ("schema/015_ingest_gaps.sql", ingestGaps),
        ("schema/020_views.sql", views),
        ("schema/030_retention_rollups.sql", retentionRollups),
        ("schema/031_daily_stats_folds.sql", dailyStatsFolds),
        ("schema/040_dashboard.sql", dashboardIndexes),
    ]

    // SwiftPM names each constant after its file, with a leading digit replaced by `_`.

    /// `schema/001_conn_plugin.sql`: the conn-plugin's tables, exactly seed 000 section 3.
    package static let connPluginTables = String(decoding: PackageResources._01_conn_plugin_sql, as: UTF8.self)

    /// `schema/002_conn_plugin_keys.sql`: the unique index that makes the plugin's replays idempotent.
    package static let connPluginKeys = String(decoding: PackageResources._02_conn_plugin_keys_sql, as: UTF8.self)

    /// `schema/003_presence.sql`: broker liveness, per-broker client state, session ends, client_presence.
    package static let presence = String(decoding: PackageResources._03_presence_sql, as: UTF8.self)

    /// `schema/004_history_indexes.sql`: the partial index of unclean disconnects for "devices that
    /// dropped more than N times today". `CREATE INDEX CONCURRENTLY`, so it cannot run inside a
    /// multi-statement string; neither program applies it at start (a build on a long history
    /// would take minutes): users run it with psql.
    package static let historyIndexes = String(decoding: PackageResources._04_history_indexes_sql, as: UTF8.self)

    /// `schema/010_sys_ingester.sql`: the WatchMQTT tables of seed 001.
    package static let sysIngesterTables = String(decoding: PackageResources._10_sys_ingester_sql, as: UTF8.self)

    /// `schema/015_ingest_gaps.sql`: the times the ingester may have missed what a broker said.
    package static let ingestGaps = String(decoding: PackageResources._15_ingest_gaps_sql, as: UTF8.self)

    /// `schema/020_views.sql`: the views for the typical reads of both programs.
    package static let views = String(decoding: PackageResources._20_views_sql, as: UTF8.self)

    /// `schema/030_retention_rollups.sql`: maintenance_runs, broker_metrics_rollup, client_daily_stats
    /// and the chart views over them.
    package static let retentionRollups = String(decoding: PackageResources._30_retention_rollups_sql, as: UTF8.self)

    /// `schema/031_daily_stats_folds.sql`: how far each broker's history is counted in client_daily_stats.
    package static let dailyStatsFolds = String(decoding: PackageResources._31_daily_stats_folds_sql, as: UTF8.self)

    /// `schema/040_dashboard.sql`: the partial index of client-days with unclean disconnects (the
    /// dashboard's droppers page); sys-ingester applies it at start.
    package static let dashboardIndexes = String(decoding: PackageResources._40_dashboard_sql, as: UTF8.self)
}

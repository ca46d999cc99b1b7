import Storage

/// The dashboard's statements as text, each the file of `sql/` of the same name (compiled in by
/// SwiftPM's `.embedInCode`) with the name it is prepared under. The Dashboard target gives each
/// its bindings and the reading of its rows (`DashboardQuery`); `conn-sql dashboard-statement`
/// prints them for the history bench, so neither holds a copy of the text.
package enum DashboardSQL {
    // MARK: Files without `-- when` blocks: each is one statement, prepared as the file is.

    package static let configureSession = PreparedStatement(
        name: "dashboard_configure_session", sql: String(decoding: PackageResources.configure_session_sql, as: UTF8.self))
    package static let reporters = PreparedStatement(
        name: "dashboard_reporters", sql: String(decoding: PackageResources.reporters_sql, as: UTF8.self))
    package static let brokerIDs = PreparedStatement(
        name: "dashboard_broker_ids", sql: String(decoding: PackageResources.broker_ids_sql, as: UTF8.self))
    package static let daily = PreparedStatement(
        name: "dashboard_daily", sql: String(decoding: PackageResources.daily_sql, as: UTF8.self))
    package static let droppers = PreparedStatement(
        name: "dashboard_droppers", sql: String(decoding: PackageResources.droppers_sql, as: UTF8.self))

    // MARK: Files whose `-- when <relation>` blocks depend on which relations exist

    package static let fleet = DashboardVariants(name: "dashboard_fleet", PackageResources.fleet_sql)
    package static let perMinute = DashboardVariants(name: "dashboard_per_minute", PackageResources.per_minute_sql)
    package static let clients = DashboardVariants(name: "dashboard_clients", PackageResources.clients_sql)
    package static let events = DashboardVariants(name: "dashboard_events", PackageResources.events_sql)

    /// Every statement by its file's name (without `.sql`), as the dashboard prepares it where every
    /// optional relation exists: what a database with both programs' tables runs, and what the
    /// history bench times.
    package static let everyRelationPresent: [(file: String, statement: PreparedStatement)] = [
        ("configure_session", configureSession), ("reporters", reporters), ("fleet", fleet.variant { _ in true }),
        ("per_minute", perMinute.variant { _ in true }), ("broker_ids", brokerIDs),
        ("clients", clients.variant { _ in true }), ("events", events.variant { _ in true }), ("daily", daily),
        ("droppers", droppers),
    ]
}

/// A file of `sql/` whose text depends on which optional relations exist (a database without the
/// ingester's tables still gets its plugin data, and the other way round): its `-- when <relation>`
/// blocks (Storage's `SQLComposition`) keep their lines where the relation exists.
package struct DashboardVariants: Sendable {
    /// The name of the statement, without the variant's digits.
    package let name: String
    private let file: SQLComposition

    init(name: String, _ file: [UInt8]) {
        self.name = name
        self.file = SQLComposition(file)
    }

    /// The relations the file's `-- when` lines name, in order of first appearance.
    package var relations: [String] { file.conditions }

    /// The variant for the relations `exists` says exist, prepared under `name` plus one digit per
    /// relation of `relations` (1: it exists), so every variant has its own name.
    package func variant(where exists: (String) -> Bool) -> PreparedStatement {
        file.prepared(as: name, where: exists)
    }
}

import Logging
import SchemaSQL
import Storage

extension PostgresEventStore {
    /// The files of schema/ the plugin applies when their relations are missing: its tables (required),
    /// then what it uses where present: the event-key index, presence, retention and daily statistics.
    static let schemaParts: [SchemaPart] = [
        .connPluginTables, .connPluginKeys, .presence, .retentionRollups, .dailyStatsFolds,
    ]

    /// What the statements may use, given the parts in place.
    static func schemaInUse(_ isInPlace: (SchemaPart) -> Bool) -> SchemaInUse {
        SchemaInUse(
            keyIndex: isInPlace(.connPluginKeys), presence: isInPlace(.presence),
            retention: isInPlace(.retentionRollups) && isInPlace(.dailyStatsFolds))
    }

    /// Which parts are in place, applying none (the spare connection: the writer's applies them).
    func inspectSchema(on connection: PostgresConnection) throws(PostgresError) -> SchemaInUse {
        let found = try SchemaSetup.inPlace(Self.schemaParts, on: connection, timeout: timeout)
        return Self.schemaInUse(found.contains)
    }

    /// Applies the parts whose relations are missing (`SchemaSetup`, shared with sys-ingester).
    /// Without its tables the plugin cannot work; without another part it works without what that
    /// part gives, after one warning naming the file to apply as an owner.
    func prepareSchema(on connection: PostgresConnection) throws(PostgresError) -> SchemaInUse {
        let outcome = try SchemaSetup.ensure(Self.schemaParts, on: connection, timeout: timeout)
        if let error = outcome.failure(of: .connPluginTables) {
            guard error.sqlState == .insufficientPrivilege else { throw error }
            throw PostgresError(
                kind: .statement,
                message: "tables client_conn_events/client_sessions are missing and this role may not create them; apply schema/001_conn_plugin.sql as an owner",
                sqlState: error.sqlState)
        }
        for (part, error) in outcome.failed {
            logger.warning("\(Self.withoutPart(part)) Apply \(part.file) as an owner.", metadata: ["pg.error": "\(error)"])
        }
        return Self.schemaInUse(outcome.isInPlace)
    }

    /// What the plugin does without `part`.
    private static func withoutPart(_ part: SchemaPart) -> String {
        switch part {
        case .connPluginKeys:
            "could not create index client_conn_events_event_key_idx; replays after an uncertain commit may store an event twice."
        case .presence:
            "could not create the presence tables (broker_status, client_broker_presence, client_session_ends) or the client_presence view; history and client_sessions are still written."
        default:
            "could not create client_daily_stats, client_daily_stats_folds and maintenance_runs; history and presence are still written, daily statistics are not."
        }
    }
}

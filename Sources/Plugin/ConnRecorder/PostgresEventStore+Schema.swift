import Logging
import SchemaSQL
import Storage

extension PostgresEventStore {
    /// Which of the plugin's objects exist.
    func inspectSchema(on connection: PostgresConnection) throws(PostgresError)
        -> (tables: Bool, index: Bool, presence: Bool, retention: Bool)
    {
        ConnQuery.InspectSchema.decode(try connection.execute(ConnQuery.InspectSchema(), timeout: timeout))
    }

    /// Creates the tables, the event-key index and the presence tables when missing; returns what
    /// the statements may use (the event-key index for idempotent writes, presence).
    func prepareSchema(on connection: PostgresConnection) throws(PostgresError) -> SchemaInUse {
        var state = try inspectSchema(on: connection)
        if !state.tables {
            do {
                try connection.execute(SchemaFiles.connPluginTables, timeout: timeout)
            } catch let error where error.sqlState == .uniqueViolation || error.sqlState == .duplicateTable {
                // Another broker created them at the same moment.
            } catch let error where error.sqlState == .insufficientPrivilege {
                throw PostgresError(
                    kind: .statement,
                    message: "tables client_conn_events/client_sessions are missing and this role may not create them; apply schema/001_conn_plugin.sql as an owner",
                    sqlState: error.sqlState)
            }
            state = try inspectSchema(on: connection)
        }
        if !state.index {
            do {
                try connection.execute(SchemaFiles.connPluginKeys, timeout: timeout)
                state.index = true
            } catch let error where error.kind == .statement {
                // A missing privilege, or a history table too large to index within timeout_ms:
                // the plugin still works, without the duplicate guard.
                state.index = (try? inspectSchema(on: connection).index) ?? false
                if !state.index {
                    logger.warning(
                        "could not create index client_conn_events_event_key_idx; replays after an uncertain commit may store an event twice. Apply schema/002_conn_plugin_keys.sql as the table's owner.",
                        metadata: ["pg.error": "\(error)"])
                }
            }
        }
        if !state.presence {
            do {
                try connection.execute(SchemaFiles.presence, timeout: timeout)
                state.presence = true
            } catch let error where error.kind == .statement {
                state.presence = (try? inspectSchema(on: connection).presence) ?? false
                if !state.presence {
                    logger.warning(
                        "could not create the presence tables (broker_status, client_broker_presence, client_session_ends) or the client_presence view; history and client_sessions are still written. Apply schema/003_presence.sql as an owner.",
                        metadata: ["pg.error": "\(error)"])
                }
            }
        }
        if !state.retention {
            do {
                try connection.execute(SchemaFiles.retentionRollups, timeout: timeout)
                try connection.execute(SchemaFiles.dailyStatsFolds, timeout: timeout)
                state.retention = true
            } catch let error where error.kind == .statement {
                state.retention = (try? inspectSchema(on: connection).retention) ?? false
                if !state.retention {
                    logger.warning(
                        "could not create client_daily_stats, client_daily_stats_folds and maintenance_runs; history and presence are still written, daily statistics are not. Apply schema/030_retention_rollups.sql and schema/031_daily_stats_folds.sql as an owner.",
                        metadata: ["pg.error": "\(error)"])
                }
            }
        }
        return SchemaInUse(keyIndex: state.index, presence: state.presence, retention: state.retention)
    }
}

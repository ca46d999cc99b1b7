import Storage

/// The plugin's SQL, in the files of `Sources/Plugin/ConnRecorder/sql/` (compiled in by SwiftPM's
/// `.embedInCode`; `make bench` runs the write too, through bin/conn-sql). Values always travel as
/// parameters; a batch of events is a handful of array parameters expanded by `unnest`, so one
/// statement (one round trip, one implicit transaction) writes the history rows and the presence
/// upserts of up to `batchSize` events.
package enum ConnStatements {
    /// Writes a batch (`sql/write_batch.sql`): INSERT into client_conn_events and UPSERT of
    /// client_sessions with each client's latest event, under the presence rules of seed 000
    /// section 4 as raised by issue "never a ghost" (the file's header lists them).
    ///
    /// - Parameter idempotent: whether the event-key index exists; then events already stored are
    ///   skipped. Without the index, the statement runs without the file's `ON CONFLICT` line
    ///   (which PostgreSQL would reject for lack of a unique index to arbitrate on).
    package static func writeBatch(idempotent: Bool) -> PreparedStatement {
        idempotent ? writeBatchKeyed : writeBatchUnkeyed
    }

    /// Every variant of a batch's write: `sql/write_batch.sql`, `sql/write_presence.sql` and
    /// `sql/write_session_ends.sql` read as one text, whose `-- when` blocks keep the history's
    /// `ON CONFLICT` line where the event-key index exists (`event_key`), the presence part where
    /// schema/003_presence.sql is applied (`presence`; write_batch.sql's closing SELECT gives way to
    /// it) and the session-end part for a batch that holds session_end events (`session_ends`).
    private static let write = SQLComposition(
        PackageResources.write_batch_sql, PackageResources.write_presence_sql,
        PackageResources.write_session_ends_sql)

    /// The variant of `write` where exactly `conditions` hold, prepared under `name`.
    private static func writeVariant(_ name: String, _ conditions: Set<String>) -> PreparedStatement {
        // The plugin has always sent its write with the files' final newline, which SQLComposition
        // drops: put back, so the statement's bytes stay those the plugin has always prepared.
        PreparedStatement(name: name, sql: write.text(where: conditions.contains) + "\n")
    }

    private static let writeBatchKeyed = writeVariant("conn_write_batch_keyed", ["event_key"])
    private static let writeBatchUnkeyed = writeVariant("conn_write_batch", [])

    /// A batch's write, in the package's statement idiom: the variant of `writeBatch` or
    /// `writeEvents` the database's schema and the batch call for, and the batch's arrays
    /// (`batchParameters`) as its parameters. What `ConnEventStoreConnection.write` sends.
    package struct Write: VariantStatement {
        package let events: [ConnEvent]
        /// schema/003_presence.sql is applied: per-broker presence is written in the same statement.
        package let presence: Bool
        /// The event-key index exists: events already stored are skipped.
        package let idempotent: Bool

        package init(_ events: [ConnEvent], presence: Bool, idempotent: Bool) {
            self.events = events
            self.presence = presence
            self.idempotent = idempotent
        }

        package var prepared: PreparedStatement {
            presence
                ? ConnStatements.writeEvents(for: events, idempotent: idempotent)
                : ConnStatements.writeBatch(idempotent: idempotent)
        }

        package var bindings: [PostgresValue?] { ConnStatements.batchParameters(events) }
    }

    /// The parameters of `writeBatch` for `events`, in order.
    package static func batchParameters<Events: Collection<ConnEvent>>(_ events: Events) -> [PostgresValue?] {
        var timestamps = PostgresArrayLiteral()
        var kinds = PostgresArrayLiteral()
        var clientIDs = PostgresArrayLiteral()
        var usernames = PostgresArrayLiteral()
        var peers = PostgresArrayLiteral()
        var protocols = PostgresArrayLiteral()
        var reasons = PostgresArrayLiteral()
        var extras = PostgresArrayLiteral()
        for event in events {
            timestamps.append(event.timestampMicros)
            kinds.append(event.kind.rawValue)
            clientIDs.append(event.clientID)
            usernames.append(event.username)
            peers.append(event.peer)
            protocols.append(event.protocol)
            reasons.append(event.reasonCode.map(Int64.init))
            extras.append(event.extraJSON)
        }
        return [
            timestamps.value, kinds.value, clientIDs.value, usernames.value, peers.value, protocols.value,
            reasons.value, extras.value,
        ]
    }

    /// Sets up a session (`sql/configure_session.sql`): its statement_timeout ($1, e.g. `1000ms`), so
    /// the server itself abandons a statement the plugin stopped waiting for, and generic plans, so
    /// the write statement is not planned again at every execution.
    package static let configureSession = String(decoding: PackageResources.configure_session_sql, as: UTF8.self)

    /// A batch's whole write where schema/003_presence.sql is applied: write_batch.sql's CTEs, then
    /// the presence part (`sql/write_presence.sql`) and, for a batch that holds session_end events,
    /// the session-end part (`sql/write_session_ends.sql`), as one statement: one round trip, one
    /// transaction. Same parameters as `writeBatch`.
    ///
    /// - Parameter sessionEnds: whether the batch holds session_end events. Without them the
    ///   session-end part would write nothing, yet PostgreSQL would still run it: in pgbench it
    ///   cost 8 to 15 % of the server's CPU for a one-event write.
    package static func writeEvents(idempotent: Bool, sessionEnds: Bool) -> PreparedStatement {
        switch (idempotent, sessionEnds) {
        case (true, true): writeEventsKeyed
        case (true, false): writePresenceKeyed
        case (false, true): writeEventsUnkeyed
        case (false, false): writePresenceUnkeyed
        }
    }

    /// The write statement for `events` where schema/003_presence.sql is applied.
    package static func writeEvents(for events: some Collection<ConnEvent>, idempotent: Bool) -> PreparedStatement {
        writeEvents(idempotent: idempotent, sessionEnds: events.contains { $0.kind == .sessionEnd })
    }

    private static let writePresenceKeyed = writeVariant("conn_write_presence_keyed", ["event_key", "presence"])
    private static let writePresenceUnkeyed = writeVariant("conn_write_presence", ["presence"])
    private static let writeEventsKeyed = writeVariant(
        "conn_write_events_keyed", ["event_key", "presence", "session_ends"])
    private static let writeEventsUnkeyed = writeVariant("conn_write_events", ["presence", "session_ends"])

    // The plugin's other statements are the types of `ConnQuery` (ConnQuery.swift).

    /// The advisory-lock key of a run: its 64-bit random boot id, or a hash of other text.
    package static func runLockKey(_ bootID: String) -> Int64 {
        if bootID.utf8.count == 16, let value = UInt64(bootID, radix: 16) { return Int64(bitPattern: value) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in bootID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    // MARK: Retention

    // The lock, the run record and the steps of a run are the Maintenance target's
    // (`RetentionJob`), shared with the ingester.

    /// The advisory-lock key of the plugin's retention job (`conn_retention`), the same in every
    /// plugin: of all brokers sharing a database, one prunes client_conn_events at a time.
    /// Documented in docs/events.md ("Retention"); sys-ingester's job has its own key.
    package static let retentionLockKey: Int64 = 7_231_403_360_217_470
    /// The job name in maintenance_runs.
    package static let retentionJob = "conn_retention"
    /// The one table the plugin prunes.
    package static let retentionTable = "client_conn_events"
}

import Storage

/// The plugin's SQL, in the files of `Sources/Plugin/ConnRecorder/sql/` (compiled in by SwiftPM's
/// `.embedInCode`; `make bench` runs write_batch.sql too). Values always travel as parameters; a
/// batch of events is a handful of array parameters expanded by `unnest`, so one statement (one
/// round trip, one implicit transaction) writes the history rows and the presence upserts of up
/// to `batchSize` events.
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

    private static let writeBatchKeyed = PreparedStatement(
        name: "conn_write_batch_keyed", sql: String(decoding: PackageResources.write_batch_sql, as: UTF8.self))

    /// The line of write_batch.sql that needs the event-key index.
    private static let skipStoredKeys = "ON CONFLICT DO NOTHING"

    private static let writeBatchUnkeyed = PreparedStatement(
        name: "conn_write_batch",
        sql: writeBatchKeyed.sql.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.drop { $0 == " " } != skipStoredKeys }
            .joined(separator: "\n"))

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

    /// A batch's whole write where schema/003_presence.sql is applied: write_batch.sql without its
    /// last line (its SELECT), then the presence part (`sql/write_presence.sql`) and, for a batch
    /// that holds session_end events, the session-end part (`sql/write_session_ends.sql`), as one
    /// statement: one round trip, one transaction. Same parameters as `writeBatch`.
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

    private static let presencePart = String(decoding: PackageResources.write_presence_sql, as: UTF8.self)
    private static let sessionEndsPart = String(decoding: PackageResources.write_session_ends_sql, as: UTF8.self)

    private static let writePresenceKeyed = PreparedStatement(
        name: "conn_write_presence_keyed", sql: joined(writeBatchKeyed.sql, presencePart))
    private static let writePresenceUnkeyed = PreparedStatement(
        name: "conn_write_presence", sql: joined(writeBatchUnkeyed.sql, presencePart))
    private static let writeEventsKeyed = PreparedStatement(
        name: "conn_write_events_keyed", sql: joined(writeBatchKeyed.sql, presencePart, sessionEndsPart))
    private static let writeEventsUnkeyed = PreparedStatement(
        name: "conn_write_events", sql: joined(writeBatchUnkeyed.sql, presencePart, sessionEndsPart))

    /// One statement from parts that each end with their closing SELECT: every part but the last
    /// without it (its CTEs continue the WITH), then the last whole.
    private static func joined(_ parts: String...) -> String {
        var text = ""
        for (index, part) in parts.enumerated() {
            guard index < parts.count - 1 else { return text + part }
            var lines = part.split(separator: "\n", omittingEmptySubsequences: false)
            while let last = lines.last, last.allSatisfy({ $0 == " " }) { lines.removeLast() }
            // A SELECT may continue on indented lines (write_session_ends.sql's does).
            while let last = lines.last, last.hasPrefix(" ") { lines.removeLast() }
            precondition(lines.last?.hasPrefix("SELECT ") == true, "each part of a write must end with its SELECT")
            lines.removeLast()
            text += lines.joined(separator: "\n") + ",\n"
        }
        return text
    }

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

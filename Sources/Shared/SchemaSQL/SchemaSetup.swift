import Storage

/// Applying schema/ at start, the same way in both programs. A part whose relations all exist is
/// left alone (one round trip finds out for every part). A part with one missing is applied in a
/// transaction of its own that first takes the schema lock, a transaction-level advisory lock both
/// programs take, and checks again under it: programs that start at once on a fresh database
/// apply each file once, one after the other, instead of racing into duplicate-object errors.
package enum SchemaSetup {
    /// What `ensure` found and did.
    package struct Outcome: Sendable {
        /// Parts applied by this call (the others were in place, or failed).
        package var applied: [SchemaPart] = []
        /// Parts the server refused to apply (a missing privilege, a timeout, bad data for an index).
        package var failed: [(part: SchemaPart, error: PostgresError)] = []

        /// Whether `part` is in place now (found, or applied by this call or another program).
        package func isInPlace(_ part: SchemaPart) -> Bool { failure(of: part) == nil }

        package func failure(of part: SchemaPart) -> PostgresError? { failed.first { $0.part == part }?.error }
    }

    /// Applies each of `parts` (in order) that has a relation missing.
    ///
    /// - Throws: the connection's failures (a lost connection, a timeout, the stop's interrupt);
    ///   a statement's error is the part's, in `Outcome.failed`, and the other parts go on.
    package static func ensure(
        _ parts: [SchemaPart], on connection: PostgresConnection, timeout: Duration
    ) throws(PostgresError) -> Outcome {
        var outcome = Outcome()
        let missing = Set(try missingRelations(parts.flatMap(\.relations), on: connection, timeout: timeout))
        for part in parts where part.relations.contains(where: missing.contains) {
            do throws(PostgresError) {
                if try apply(part, on: connection, timeout: timeout) { outcome.applied.append(part) }
            } catch let error where error.kind == .statement {
                outcome.failed.append((part, error))
            }
        }
        return outcome
    }

    /// Which of `parts` are in place, without applying any (the plugin's spare connection).
    package static func inPlace(
        _ parts: [SchemaPart], on connection: PostgresConnection, timeout: Duration
    ) throws(PostgresError) -> [SchemaPart] {
        let missing = Set(try missingRelations(parts.flatMap(\.relations), on: connection, timeout: timeout))
        return parts.filter { !$0.relations.contains(where: missing.contains) }
    }

    private static func missingRelations(
        _ names: [String], on connection: PostgresConnection, timeout: Duration
    ) throws(PostgresError) -> [String] {
        MissingRelations.decode(try connection.execute(MissingRelations(names), timeout: timeout))
    }

    /// - Returns: whether this call applied `part` (false: another program did while it waited for the lock).
    private static func apply(
        _ part: SchemaPart, on connection: PostgresConnection, timeout: Duration
    ) throws(PostgresError) -> Bool {
        try connection.execute("BEGIN", timeout: timeout)
        do throws(PostgresError) {
            try connection.execute(SchemaLock(), timeout: timeout)
            guard try !missingRelations(part.relations, on: connection, timeout: timeout).isEmpty else {
                try connection.execute("COMMIT", timeout: timeout)
                return false
            }
            try connection.execute(part.sql, timeout: timeout)
            try connection.execute("COMMIT", timeout: timeout)
            return true
        } catch {
            if connection.isOpen { _ = try? connection.execute("ROLLBACK", timeout: timeout) }
            throw error
        }
    }
}

/// One statement as one type: its SQL, the name it is prepared under and its parameters, built
/// from typed fields in `$n` order (the shape of postgres-nio's `PostgresPreparedStatement`), so
/// the text, the name and the parameter order are written in one place.
package protocol PostgresStatement: Sendable {
    /// The statement's text; values reach it only as `$n` parameters.
    static var sql: String { get }
    /// The name it is prepared under, once per connection.
    static var name: String { get }
    /// The parameters: the first element is `$1`.
    var bindings: [PostgresValue?] { get }
}

extension PostgresStatement {
    /// The statement as `PostgresConnection` prepares it.
    package static var prepared: PreparedStatement { PreparedStatement(name: name, sql: sql) }
}

extension PostgresConnection {
    /// Executes `statement` with its bindings, preparing it first on this connection if needed.
    ///
    /// - Throws: `PostgresError`; on `.timeout` or `.connection` the connection is closed.
    @discardableResult
    package func execute(_ statement: some PostgresStatement, timeout: Duration) throws(PostgresError) -> PostgresRows {
        try execute(type(of: statement).prepared, statement.bindings, timeout: timeout)
    }

    /// Runs `statements` with their bindings in one round trip, as one implicit transaction
    /// (`executePipeline(_:timeout:)` of prepared statements and parameter lists).
    ///
    /// - Returns: the rows of each statement, in order.
    @discardableResult
    package func executePipeline(_ statements: [any PostgresStatement], timeout: Duration) throws(PostgresError)
        -> [PostgresRows]
    {
        try executePipeline(statements.map { (type(of: $0).prepared, $0.bindings) }, timeout: timeout)
    }
}

/// A statement whose SQL is one of a few variants, chosen per value: the `SQLComposition`s of the
/// dashboard (whose joins depend on which relations exist) and of the plugin's write (on the
/// event-key index, presence and what the batch holds), the ingester's prune step of each table
/// (`PruneStep`, one file per table). Otherwise like `PostgresStatement`: the value holds its
/// bindings, and its type decodes its rows. Each variant is prepared under its own name.
package protocol VariantStatement: Sendable {
    /// The variant's text and name.
    var prepared: PreparedStatement { get }
    /// The parameters: the first element is `$1`.
    var bindings: [PostgresValue?] { get }
}

extension PostgresConnection {
    /// Executes the variant of `statement` with its bindings, preparing it first on this
    /// connection if needed.
    ///
    /// - Throws: `PostgresError`; on `.timeout` or `.connection` the connection is closed.
    @discardableResult
    package func execute(_ statement: some VariantStatement, timeout: Duration) throws(PostgresError) -> PostgresRows {
        try execute(statement.prepared, statement.bindings, timeout: timeout)
    }
}

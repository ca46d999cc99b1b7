internal import CLibpq
#if canImport(Glibc)
import Glibc
#endif

extension PostgresConnection {
    /// Runs `statements` in one round trip with libpq's pipeline mode, as one implicit
    /// transaction: if one fails, the ones after it are skipped and none of them commits.
    ///
    /// - Returns: the rows of each statement, in order.
    /// - Throws: `PostgresError` of the first failing statement; on `.timeout` or `.connection`
    ///   the connection is closed.
    @discardableResult
    package func executePipeline(_ statements: [(PreparedStatement, [PostgresValue?])], timeout: Duration)
        throws(PostgresError) -> [PostgresRows]
    {
        guard !statements.isEmpty else { return [] }
        for (statement, _) in statements { try prepareIfNeeded(statement, timeout: timeout) }
        let connection = try openHandle()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // > PQenterPipelineMode: Returns 1 for success. Returns 0 and has no effect if the
        // > connection is not currently idle.
        guard PQenterPipelineMode(connection) == 1 else { throw lostConnection(sql: statements[0].0.sql) }
        for (statement, parameters) in statements {
            let sent = Self.withCStrings(parameters) { values in
                PQsendQueryPrepared(connection, statement.name, Int32(values.count), values, nil, nil, 0)
            }
            guard sent == 1 else { throw lostConnection(sql: statement.sql) }
        }
        guard PQpipelineSync(connection) == 1 else { throw lostConnection(sql: statements[0].0.sql) }
        // Send everything; read meanwhile so a server that answers early cannot deadlock us.
        while true {
            let flushed = PQflush(connection)
            if flushed == 0 { break }
            if flushed < 0 { throw lostConnection(sql: nil) }
            try waitForSocket(Int16(POLLIN | POLLOUT), until: deadline, sql: statements[0].0.sql, timeout: timeout)
            if PQconsumeInput(connection) == 0 { throw lostConnection(sql: nil) }
        }

        var rows: [PostgresRows] = []
        var current = PostgresRows(columns: [], values: [], affectedRows: 0)
        var firstError: PostgresError?
        var synced = false
        while !synced {
            while PQisBusy(connection) == 1 {
                try waitForSocket(Int16(POLLIN), until: deadline, sql: statements[0].0.sql, timeout: timeout)
                if PQconsumeInput(connection) == 0 { throw lostConnection(sql: nil) }
            }
            guard let result = PQgetResult(connection) else {
                // NULL ends one statement's results.
                rows.append(current)
                current = PostgresRows(columns: [], values: [], affectedRows: 0)
                continue
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_SYNC:
                synced = true
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
                current = Self.copyRows(result)
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                let index = min(rows.count, statements.count - 1)
                if firstError == nil { firstError = Self.statementError(result, sql: statements[index].0.sql) }
            }
        }
        guard PQexitPipelineMode(connection) == 1 else { throw lostConnection(sql: nil) }
        if let firstError {
            if PQstatus(connection) != CONNECTION_OK { close() }
            throw firstError
        }
        return rows
    }
}

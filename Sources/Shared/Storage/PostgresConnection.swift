internal import CLibpq
#if canImport(Glibc)
import Glibc
#endif
import Locking

/// One PostgreSQL connection, owning its `PGconn`.
///
/// Every network wait is bounded: connecting and executing use libpq's non-blocking API and
/// `poll(2)` against a deadline, so a server that accepts TCP and then never answers costs at
/// most the caller's timeout. A connection that timed out or broke is closed and must be
/// replaced (`isOpen` turns false).
///
/// Not thread-safe: confine each connection to one thread.
package final class PostgresConnection {
    private var handle: OpaquePointer?
    private var preparedNames: Set<String> = []
    private let interrupt: PostgresInterrupt?

    /// Opens a connection, waiting at most `timeout`.
    ///
    /// - Parameters:
    ///   - conninfo: a libpq keyword/value string or `postgres://` URI.
    ///   - timeout: the longest the whole connection attempt may take.
    ///   - interrupt: when triggered, ends this connection's waits at once (connecting included).
    /// - Throws: `PostgresError` of kind `.invalidConnectionString`, `.connection`, `.timeout` or
    ///   `.interrupted`.
    package init(conninfo: String, timeout: Duration, interrupt: PostgresInterrupt? = nil) throws(PostgresError) {
        self.interrupt = interrupt
        try ConnectionString.validate(conninfo)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        // > PQconnectStart: Make a connection to the database server in a nonblocking manner.
        guard let connection = PQconnectStart(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        // From here on, every failure path must PQfinish: "call PQfinish when you are finished
        // with it ... even if the server connection attempt fails".
        handle = connection
        if PQstatus(connection) == CONNECTION_BAD {
            let message = Self.errorMessage(connection)
            close()
            throw PostgresError(kind: .connection, message: message)
        }
        var pollStatus = PGRES_POLLING_WRITING
        while true {
            switch pollStatus {
            case PGRES_POLLING_OK:
                PQsetnonblocking(connection, 1)
                return
            case PGRES_POLLING_FAILED:
                let message = Self.errorMessage(connection)
                close()
                throw PostgresError(kind: .connection, message: message)
            default:
                let waitFor: Int16 = pollStatus == PGRES_POLLING_READING ? Int16(POLLIN) : Int16(POLLOUT)
                try waitForSocket(waitFor, until: deadline, sql: nil, timeout: timeout)
                pollStatus = PQconnectPoll(connection)
            }
        }
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// True while the connection is usable. False after `close()`, a timeout or a lost connection.
    package var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Closes the connection. Safe to call more than once.
    package func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        preparedNames.removeAll()
    }

    // MARK: - Executing

    /// Runs one or more statements without parameters (DDL, `BEGIN`, `COMMIT`).
    ///
    /// - Throws: `PostgresError`; on `.timeout` or `.connection` the connection is closed.
    @discardableResult
    package func execute(_ sql: String, timeout: Duration) throws(PostgresError) -> PostgresRows {
        let connection = try openHandle()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        guard PQsendQuery(connection, sql) == 1 else { throw lostConnection(sql: sql) }
        return try collectResults(sql: sql, deadline: deadline, timeout: timeout)
    }

    /// Runs one statement with parameters bound by libpq.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [PostgresValue?], timeout: Duration) throws(PostgresError)
        -> PostgresRows
    {
        let connection = try openHandle()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let sent = Self.withCStrings(parameters) { values in
            PQsendQueryParams(connection, sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw lostConnection(sql: sql) }
        return try collectResults(sql: sql, deadline: deadline, timeout: timeout)
    }

    /// Prepares `statement` on this connection once; later calls are free.
    package func prepareIfNeeded(_ statement: PreparedStatement, timeout: Duration) throws(PostgresError) {
        guard !preparedNames.contains(statement.name) else { return }
        let connection = try openHandle()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        guard PQsendPrepare(connection, statement.name, statement.sql, 0, nil) == 1 else {
            throw lostConnection(sql: statement.sql)
        }
        try collectResults(sql: statement.sql, deadline: deadline, timeout: timeout)
        preparedNames.insert(statement.name)
    }

    /// Executes a prepared statement (preparing it first on this connection if needed).
    @discardableResult
    package func execute(_ statement: PreparedStatement, _ parameters: [PostgresValue?], timeout: Duration)
        throws(PostgresError) -> PostgresRows
    {
        try prepareIfNeeded(statement, timeout: timeout)
        let connection = try openHandle()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let sent = Self.withCStrings(parameters) { values in
            PQsendQueryPrepared(connection, statement.name, Int32(values.count), values, nil, nil, 0)
        }
        guard sent == 1 else { throw lostConnection(sql: statement.sql) }
        return try collectResults(sql: statement.sql, deadline: deadline, timeout: timeout)
    }

    // MARK: - Internals (PostgresConnection+Pipeline.swift uses them too)

    func openHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            close()
            throw PostgresError(kind: .connection, message: "the connection is closed")
        }
        return handle
    }

    func lostConnection(sql: String?) -> PostgresError {
        let message = handle.map(Self.errorMessage) ?? "the connection is closed"
        close()
        return PostgresError(kind: .connection, message: message, sql: sql)
    }

    /// Flushes the request and reads every result, failing on the first error result.
    /// Drains all results even after an error so the connection stays usable.
    @discardableResult
    private func collectResults(sql: String, deadline: ContinuousClock.Instant, timeout: Duration)
        throws(PostgresError) -> PostgresRows
    {
        guard let connection = handle else { throw lostConnection(sql: sql) }
        // > PQflush: Returns 0 if successful (or if the send queue is empty), -1 if it failed,
        // > or 1 if it was unable to send all the data in the send queue yet.
        while true {
            let flushed = PQflush(connection)
            if flushed == 0 { break }
            if flushed < 0 { throw lostConnection(sql: sql) }
            try waitForSocket(Int16(POLLIN | POLLOUT), until: deadline, sql: sql, timeout: timeout)
            if PQconsumeInput(connection) == 0 { throw lostConnection(sql: sql) }
        }
        var rows = PostgresRows(columns: [], values: [], affectedRows: 0)
        var firstError: PostgresError?
        while true {
            while PQisBusy(connection) == 1 {
                try waitForSocket(Int16(POLLIN), until: deadline, sql: sql, timeout: timeout)
                if PQconsumeInput(connection) == 0 { throw lostConnection(sql: sql) }
            }
            guard let result = PQgetResult(connection) else { break }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
                rows = Self.copyRows(result)
            default:
                if firstError == nil { firstError = Self.statementError(result, sql: sql) }
            }
        }
        if let firstError {
            if PQstatus(connection) != CONNECTION_OK { close() }
            throw firstError
        }
        return rows
    }

    /// Waits until the socket is ready for `events`. On timeout or interrupt the connection is
    /// closed and the error thrown.
    ///
    /// No PQcancel on timeout: it opens a new connection and then blocks in recv() until the
    /// server closes it, with no deadline, so a frozen server would hang the caller. The
    /// connection is dropped instead; the server stops the statement when it notices, or at its
    /// own statement_timeout. The outcome of the statement is unknown to the caller.
    /// - Parameter sql: the statement waited for; nil while connecting.
    func waitForSocket(_ events: Int16, until deadline: ContinuousClock.Instant, sql: String?, timeout: Duration)
        throws(PostgresError)
    {
        guard let handle else { throw lostConnection(sql: sql) }
        switch Self.wait(for: events, on: PQsocket(handle), until: deadline, interrupt: interrupt) {
        case .ready:
            return
        case .timedOut:
            close()
            let message =
                sql == nil ? "connecting took longer than \(Self.format(timeout))" : "no answer within \(Self.format(timeout))"
            throw PostgresError(kind: .timeout, message: message, sql: sql)
        case .interrupted:
            close()
            throw PostgresError(
                kind: .interrupted, message: sql == nil ? "stopped while connecting" : "stopped while waiting for an answer",
                sql: sql)
        }
    }

    static func copyRows(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(PQfname(result, Int32(column)).map { String(cString: $0) } ?? "")
        }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var rowValues: [String?] = []
            rowValues.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    rowValues.append(nil)
                } else {
                    rowValues.append(PQgetvalue(result, Int32(row), Int32(column)).map { String(cString: $0) })
                }
            }
            values.append(rowValues)
        }
        let affected = PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
        return PostgresRows(columns: columns, values: values, affectedRows: affected)
    }

    static func statementError(_ result: OpaquePointer, sql: String) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let primary = field(clibpq_diag_message_primary) ?? PQresultErrorMessage(result).map { String(cString: $0) }
        return PostgresError(
            kind: .statement, message: primary ?? "unknown error",
            sqlState: field(clibpq_diag_sqlstate).map(SQLState.init(rawValue:)),
            detail: field(clibpq_diag_message_detail), hint: field(clibpq_diag_message_hint), sql: sql)
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        PQerrorMessage(connection).map { String(cString: $0) } ?? "unknown libpq error"
    }

    private enum Readiness { case ready, timedOut, interrupted }

    /// Waits until `socket` is ready for `events`, `deadline` passes or `interrupt` is triggered.
    private static func wait(
        for events: Int16, on socket: Int32, until deadline: ContinuousClock.Instant, interrupt: PostgresInterrupt?
    ) -> Readiness {
        guard socket >= 0 else { return .timedOut }
        // A tuple, not an array: no allocation per wait (sync-mode writes wait on the broker's
        // thread). poll(2) ignores the negative descriptor when there is no interrupt.
        var descriptors = (
            pollfd(fd: socket, events: events, revents: 0),
            pollfd(fd: interrupt?.pollDescriptor ?? -1, events: Int16(POLLIN), revents: 0)
        )
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return .timedOut }
            let milliseconds = max(1, min(Int64(Int32.max), remaining.microseconds / 1000))
            let ready = withUnsafeMutableBytes(of: &descriptors) { raw in
                poll(raw.baseAddress!.assumingMemoryBound(to: pollfd.self), 2, Int32(milliseconds))
            }
            if ready > 0 { return descriptors.1.revents != 0 ? .interrupted : .ready }
            if ready < 0 && errno != EINTR { return .ready }  // let libpq report the socket error
        }
    }

    /// Calls `body` with C strings for `parameters`, valid only inside `body`. All of them share
    /// one buffer: one allocation per statement rather than one per parameter (this runs on the
    /// broker's thread for sync-mode writes).
    static func withCStrings<Result>(
        _ parameters: [PostgresValue?], _ body: ([UnsafePointer<CChar>?]) -> Result
    ) -> Result {
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for parameter in parameters {
            guard let parameter else {
                offsets.append(nil)
                continue
            }
            offsets.append(buffer.count)
            buffer.append(contentsOf: parameter.textRepresentation.utf8)
            buffer.append(0)
        }
        buffer.append(0)  // never empty, so the base address exists
        return buffer.withUnsafeBufferPointer { storage in
            let base = storage.baseAddress.map(UnsafeRawPointer.init)
            return body(offsets.map { offset -> UnsafePointer<CChar>? in
                guard let offset, let base else { return nil }
                return (base + offset).assumingMemoryBound(to: CChar.self)
            })
        }
    }

    static func format(_ duration: Duration) -> String {
        "\(duration.microseconds / 1000) ms"
    }
}

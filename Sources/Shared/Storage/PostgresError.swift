/// An error from PostgreSQL or from libpq, carrying what a person needs to act.
///
/// `description` never contains parameter values or connection strings: it may end
/// up in a broker log. The SQL text is included (it is a constant of ours).
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What failed: the connection, a statement, or the wait for either.
    package enum Kind: Sendable, Equatable {
        /// The connection string could not be parsed.
        case invalidConnectionString
        /// Connecting failed, or an established connection was lost.
        case connection
        /// The server answered a statement with an error.
        case statement
        /// The server did not answer within the deadline; the connection is closed.
        case timeout
        /// A `PostgresInterrupt` ended the wait (the program is stopping); the connection is
        /// closed and the statement's outcome unknown.
        case interrupted
    }

    package let kind: Kind
    /// SQLSTATE of a server error (`23505`), when the server sent one.
    package let sqlState: SQLState?
    /// libpq's or the server's primary message, trailing newline trimmed.
    package let message: String
    package let detail: String?
    package let hint: String?
    /// The statement being executed, if any.
    package let sql: String?

    package init(
        kind: Kind, message: String, sqlState: SQLState? = nil, detail: String? = nil, hint: String? = nil,
        sql: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = Self.trimmed(message)
        self.detail = detail.map(Self.trimmed)
        self.hint = hint.map(Self.trimmed)
        self.sql = sql
    }

    package var description: String {
        var text: String
        switch kind {
        case .invalidConnectionString: text = "invalid PostgreSQL connection string: \(message)"
        case .connection:
            text = "PostgreSQL connection failed: \(message)"
            if let tlsHint = TLSConnectionHint.hint(forConnectionMessage: message) { text += " (hint: \(tlsHint))" }
        case .timeout: text = "PostgreSQL did not answer in time: \(message)"
        case .interrupted: text = "PostgreSQL wait abandoned: \(message)"
        case .statement:
            text = "PostgreSQL error"
            if let sqlState { text += " \(sqlState.rawValue)" }
            text += ": \(message)"
        }
        if let detail, !detail.isEmpty { text += " (\(detail))" }
        return text
    }

    /// True when retrying the same statement with the same values cannot succeed because the
    /// server rejected the data (SQLSTATE class 22, data exception, or 23, integrity constraint
    /// violation), as opposed to a connection problem, a timeout, a missing privilege or table
    /// (class 42, which an operator can fix) or a transient server condition.
    package var isPermanentForData: Bool {
        guard kind == .statement, let sqlState else { return false }
        return sqlState.errorClass == "22" || sqlState.errorClass == "23"
    }

    /// libpq messages end with a newline and may span lines ("...failed: Connection refused\n\tIs the
    /// server running..."); one log line each is easier to read and to grep.
    private static func trimmed(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in text {
            if character == "\n" || character == "\t" || character == "\r" || character == " " {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }
}

/// A five-character SQLSTATE code. Only the codes we branch on are named.
package struct SQLState: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }
    package init(stringLiteral value: String) { self.rawValue = value }
    package var description: String { rawValue }
    /// The first two characters: the error class (`23` integrity constraint violation).
    package var errorClass: Substring { rawValue.prefix(2) }

    // Class 23 — Integrity Constraint Violation
    package static let uniqueViolation: SQLState = "23505"
    // Class 42 — Syntax Error or Access Rule Violation
    package static let insufficientPrivilege: SQLState = "42501"
    package static let duplicateTable: SQLState = "42P07"
    // Class 57 — Operator Intervention (statement_timeout ends a statement with it)
    package static let queryCanceled: SQLState = "57014"
}

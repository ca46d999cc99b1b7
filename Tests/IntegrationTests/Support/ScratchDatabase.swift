import Foundation
import Storage

/// A uniquely named database on `TEST_PG_DSN`'s server, for one test.
///
/// `create(label:)` makes it, `dsn` points at it (hand that to a plugin or ingester), `query` and
/// `scalar` read it, and `drop()` (also run by `deinit`) terminates its backends and removes it.
final class ScratchDatabase {
    /// The database name: `t_<label>_<random>`, lowercase letters, digits and underscores only.
    let name: String
    /// A keyword/value connection string for this database (the server's other settings kept).
    let dsn: String
    private let adminDSN: String
    private var connection: PostgresConnection?
    private var dropped = false

    private static let connectTimeout: Duration = .seconds(10)
    private static let statementTimeout: Duration = .seconds(30)

    private init(name: String, dsn: String, adminDSN: String) {
        self.name = name
        self.dsn = dsn
        self.adminDSN = adminDSN
    }

    deinit { drop() }

    /// Creates a new database on the server of `TEST_PG_DSN`.
    /// - Throws: `TestEnvironment.MissingPrerequisite` without `TEST_PG_DSN`, `PostgresError` from the server.
    static func create(label: String) throws -> ScratchDatabase {
        try create(label: label, onServer: TestEnvironment.require(.pgDSN))
    }

    /// Creates a new database on the server `serverDSN` points at (a test's own server).
    static func create(label: String, onServer serverDSN: String) throws -> ScratchDatabase {
        var options = try ConnectionString.parse(serverDSN)
        let safeLabel = String(
            label.lowercased().unicodeScalars.map {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_"
            }
            .prefix(30))
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let name = "t_\(safeLabel)_\(suffix)"
        // Connect to the server's own database ("mqtt" under make test) to run CREATE DATABASE.
        let admin = try PostgresConnection(conninfo: serverDSN, timeout: connectTimeout)
        defer { admin.close() }
        // The name is built from [a-z0-9_] above, so quoting it as an identifier is safe.
        try admin.execute("CREATE DATABASE \"\(name)\"", timeout: statementTimeout)
        options["dbname"] = name
        return ScratchDatabase(name: name, dsn: Self.keywordValueString(options), adminDSN: serverDSN)
    }

    /// Runs one statement with text parameters (`$1`...; nil is NULL) and returns all rows as text.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let connection = try openConnection()
        if parameters.isEmpty {
            return try connection.execute(sql, [], timeout: Self.statementTimeout).values
        }
        return try connection.execute(
            sql, parameters.map { $0.map(PostgresValue.text) }, timeout: Self.statementTimeout
        )
        .values
    }

    /// The first column of the first row (nil for no rows or NULL).
    func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        try query(sql, parameters).first?.first ?? nil
    }

    /// The first column of the first row as an integer (nil for no rows, NULL or non-numeric text).
    func intScalar(_ sql: String, _ parameters: [String?] = []) throws -> Int? {
        try scalar(sql, parameters).flatMap { Int($0) }
    }

    /// Runs a script of one or more statements without parameters (e.g. a schema file's contents).
    func execute(script: String) throws {
        try openConnection().execute(script, timeout: Self.statementTimeout)
    }

    /// Closes the test's own connection (before stopping the server under it).
    func closeConnection() {
        connection?.close()
        connection = nil
    }

    /// Terminates every session on the database and drops it. Safe to call twice; never throws
    /// (a leftover database in a throwaway server is harmless, a failing cleanup hides the real error).
    func drop() {
        guard !dropped else { return }
        dropped = true
        connection?.close()
        connection = nil
        guard let admin = try? PostgresConnection(conninfo: adminDSN, timeout: Self.connectTimeout) else { return }
        defer { admin.close() }
        _ = try? admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [.text(name)], timeout: Self.statementTimeout)
        _ = try? admin.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)", timeout: Self.statementTimeout)
    }

    private func openConnection() throws -> PostgresConnection {
        if let connection, connection.isOpen { return connection }
        let fresh = try PostgresConnection(conninfo: dsn, timeout: Self.connectTimeout)
        connection = fresh
        return fresh
    }

    /// Serializes libpq options as `key=value ...`, quoting values that need it (libpq's rules:
    /// single quotes, with backslash escaping `'` and `\`).
    static func keywordValueString(_ options: [String: String]) -> String {
        let preferredOrder = ["host", "hostaddr", "port", "dbname", "user", "password"]
        let keys =
            preferredOrder.filter { options[$0] != nil } + options.keys.filter { !preferredOrder.contains($0) }.sorted()
        return keys.map { key in
            let value = options[key] ?? ""
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "=" }
            guard needsQuotes else { return "\(key)=\(value)" }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            return "\(key)='\(escaped)'"
        }.joined(separator: " ")
    }
}

internal import CLibpq
#if canImport(Glibc)
import Glibc
#endif

/// Checks and describes libpq connection strings without ever revealing a password.
package enum ConnectionString {
    /// Parses `conninfo` with libpq's own parser.
    /// - Throws: `PostgresError` of kind `.invalidConnectionString` naming the problem.
    package static func validate(_ conninfo: String) throws(PostgresError) {
        _ = try parse(conninfo)
    }

    /// A description for logs: host, port, database, user and the TLS settings an operator checks
    /// when TLS fails, e.g. `host=127.0.0.1 port=5432 dbname=mqtt user=broker sslmode=verify-full
    /// sslrootcert=/etc/mosquitto/pg-ca.pem`. Never includes the password (nor a key's passphrase).
    package static func redacted(_ conninfo: String) -> String {
        guard let options = try? parse(conninfo) else { return "(unparsable connection string)" }
        let shown = ["host", "hostaddr", "port", "dbname", "user", "sslmode", "sslrootcert"]
        let parts = shown.compactMap { key in options[key].map { "\(key)=\($0)" } }
        return parts.isEmpty ? "(libpq defaults)" : parts.joined(separator: " ")
    }

    /// The keyword/value pairs libpq finds in `conninfo` (only those set).
    package static func parse(_ conninfo: String) throws(PostgresError) -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            let message = errorMessage.map { String(cString: $0) } ?? "libpq could not parse it"
            if let errorMessage { PQfreemem(errorMessage) }
            // libpq's message may quote the offending fragment, which could be part of a
            // password ("invalid connection option ..." quotes only keywords, but URIs quote
            // more). Keep only the first line and drop anything after a colon-quote.
            throw PostgresError(kind: .invalidConnectionString, message: sanitize(message))
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                result[String(cString: keyword)] = String(cString: value)
            }
            cursor = cursor.advanced(by: 1)
        }
        return result
    }

    private static func sanitize(_ message: String) -> String {
        var line = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? message
        if let quote = line.firstIndex(of: "\"") { line = String(line[..<quote]).trimmingSuffixSpaces() + " (value hidden)" }
        return line
    }
}

extension String {
    fileprivate func trimmingSuffixSpaces() -> String {
        var result = Substring(self)
        while let last = result.last, last == " " || last == ":" { result = result.dropLast() }
        return String(result)
    }
}

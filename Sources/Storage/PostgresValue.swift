/// A statement parameter in PostgreSQL's text format; `nil` in a parameter list is SQL NULL.
///
/// Values are always handed to libpq as parameters (`$1`), never spliced into SQL.
package enum PostgresValue: Sendable, Equatable {
    case text(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// An array literal (`{...}`) built by `PostgresArrayLiteral`; cast it in SQL (`$1::text[]`).
    case arrayLiteral(String)

    /// The text-format representation libpq sends.
    package var textRepresentation: String {
        switch self {
        case .text(let value): return value
        case .int(let value): return String(value)
        case .double(let value): return value.isFinite ? String(value) : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
        case .bool(let value): return value ? "t" : "f"
        case .arrayLiteral(let literal): return literal
        }
    }
}

/// Builds PostgreSQL one-dimensional array literals in text format, so a whole batch of rows
/// travels as a handful of parameters (`unnest($1::text[], $2::bigint[])`).
package struct PostgresArrayLiteral: Sendable {
    private var body: String = "{"
    private var isEmpty = true

    package init() {}

    /// Appends one text element; `nil` becomes NULL. Every element is quoted, so no value can
    /// change the literal's structure.
    package mutating func append(_ element: String?) {
        separate()
        guard let element else {
            body += "NULL"
            return
        }
        body += "\""
        // Most values need no escaping: append them whole rather than scalar by scalar.
        if !element.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            body += element
        } else {
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { body.unicodeScalars.append("\\") }
                body.unicodeScalars.append(character)
            }
        }
        body += "\""
    }

    /// Appends one integer element; `nil` becomes NULL.
    package mutating func append(_ element: Int64?) {
        separate()
        if let element { body += String(element) } else { body += "NULL" }
    }

    /// The finished literal as a parameter value.
    package var value: PostgresValue { .arrayLiteral(body + "}") }

    private mutating func separate() {
        if !isEmpty { body += "," }
        isEmpty = false
    }
}

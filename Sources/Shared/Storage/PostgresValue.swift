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
///
/// Works on UTF-8 bytes: escaping never splits a multi-byte character (only ASCII `"` and `\`
/// are escaped), and a value is copied in runs between the bytes it escapes (in sync mode this
/// runs on the broker's thread, for every event).
package struct PostgresArrayLiteral: Sendable {
    private var body: [UInt8] = [UInt8(ascii: "{")]

    package init() {}

    /// Appends one text element; `nil` becomes NULL. Every element is quoted, so no value can
    /// change the literal's structure.
    package mutating func append(_ element: String?) {
        separate()
        guard let element else {
            body.append(contentsOf: "NULL".utf8)
            return
        }
        body.append(UInt8(ascii: "\""))
        var text = element
        text.withUTF8 { bytes in
            // Each escaped byte starts the next run, after its backslash.
            var runStart = 0
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") {
                body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                body.append(UInt8(ascii: "\\"))
                runStart = index
            }
            body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        body.append(UInt8(ascii: "\""))
    }

    /// Appends one integer element; `nil` becomes NULL.
    package mutating func append(_ element: Int64?) {
        separate()
        if let element { body.append(contentsOf: String(element).utf8) } else { body.append(contentsOf: "NULL".utf8) }
    }

    /// The finished literal as a parameter value.
    package var value: PostgresValue { .arrayLiteral(String(decoding: body, as: UTF8.self) + "}") }

    private mutating func separate() {
        if body.count > 1 { body.append(UInt8(ascii: ",")) }
    }
}

import Storage
import Testing

@Suite struct StorageTests {
    @Test func arrayLiteralQuotesEveryElement() {
        var literal = PostgresArrayLiteral()
        literal.append("plain")
        literal.append(nil as String?)
        literal.append("q\"uo\\te,{}")
        literal.append("NULL")
        #expect(literal.value == .arrayLiteral("{\"plain\",NULL,\"q\\\"uo\\\\te,{}\",\"NULL\"}"))
        #expect(PostgresArrayLiteral().value == .arrayLiteral("{}"))
    }

    /// Elements are copied in runs between the bytes escaped: the same literal as escaping byte by
    /// byte, with escapes first, last, adjacent, alone, and around multi-byte characters.
    @Test(arguments: [
        "", "plain", "\"", "\\", "\"\"", "\\\"\\", "\"start", "end\\", "{,}", "设备\"🚀\\x", "🚀", "a\u{00}b",
        String(repeating: "x\\", count: 300),
    ])
    func arrayLiteralEscapingMatchesEscapingByteByByte(_ element: String) {
        var literal = PostgresArrayLiteral()
        literal.append(element)
        literal.append(element)
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        for byte in element.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
            quoted.append(byte)
        }
        quoted.append(UInt8(ascii: "\""))
        let one = String(decoding: quoted, as: UTF8.self)
        #expect(literal.value == .arrayLiteral("{" + one + "," + one + "}"))
    }

    @Test func rowsReadAsAListOfNamesSkipNulls() {
        let rows = PostgresRows(values: [["a", "x"], [nil, "y"], ["b"], []])
        #expect(rows.firstColumn == ["a", "b"])
        #expect(rows.scalar == "a")
        #expect(PostgresRows(values: []).firstColumn.isEmpty)
    }

    @Test(arguments: [
        "postgres://alice:s3cret@db.example:5433/mqtt?sslmode=disable",
        "host=db.example port=5433 dbname=mqtt user=alice password=s3cret sslmode=disable",
    ])
    func redactedConnectionStringHidesPassword(_ conninfo: String) {
        let text = ConnectionString.redacted(conninfo)
        #expect(!text.contains("s3cret"))
        #expect(text.contains("host=db.example"))
        #expect(text.contains("user=alice"))
        #expect(text.contains("sslmode=disable"), "the TLS settings are shown: they are what to check when TLS fails")
    }

    @Test(arguments: ["postgres://alice:s3cret@db/x?bogus=s3cret", "host=a password=s3cret nonsense"])
    func invalidConnectionStringErrorHidesValues(_ conninfo: String) {
        #expect {
            try ConnectionString.validate(conninfo)
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.kind == .invalidConnectionString && !"\(error)".contains("s3cret")
        }
    }

    @Test func multiLineLibpqMessagesBecomeOneLine() {
        let error = PostgresError(kind: .connection, message: "failed: Connection refused\n\tIs the server running?\n")
        #expect(error.message == "failed: Connection refused Is the server running?")
    }

    @Test func onlyDataErrorsArePermanent() {
        #expect(PostgresError(kind: .statement, message: "", sqlState: "22P02").isPermanentForData)
        #expect(PostgresError(kind: .statement, message: "", sqlState: "23514").isPermanentForData)
        #expect(!PostgresError(kind: .statement, message: "", sqlState: "42501").isPermanentForData)
        #expect(!PostgresError(kind: .timeout, message: "").isPermanentForData)
    }

    @Test func connectingToNothingFailsFastWithATypedError() {
        // Port 1 on loopback: nothing listens there; libpq reports "Connection refused".
        #expect {
            _ = try PostgresConnection(conninfo: "host=127.0.0.1 port=1 dbname=x connect_timeout=2", timeout: .seconds(2))
        } throws: { error in
            (error as? PostgresError)?.kind == .connection
        }
    }
}

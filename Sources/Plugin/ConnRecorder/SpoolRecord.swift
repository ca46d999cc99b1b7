/// The spool's line format: one event per line, tab-separated, with `\\`, `\t`, `\n`, `\r`
/// escaped and `\N` for absent values. Versioned by its first field.
package enum SpoolRecord {
    private static let version = "c1"

    /// One line (with its newline) for `event`.
    package static func encode(_ event: ConnEvent) -> String {
        var fields: [String?] = [version]
        fields.append(event.kind.rawValue)
        fields.append(String(event.timestampMicros))
        fields.append(event.clientID)
        fields.append(event.username)
        fields.append(event.peer)
        fields.append(event.protocol)
        fields.append(event.reasonCode.map { String($0) })
        fields.append(event.cause?.rawValue)
        fields.append(String(event.connection.connectionSequence))
        fields.append(event.connection.listenerPort.map { String($0) })
        fields.append(event.connection.keepAliveSeconds.map { String($0) })
        fields.append(event.connection.cleanStart.map { $0 ? "1" : "0" })
        fields.append(event.connection.sessionOutlivesConnection ? "1" : "0")
        fields.append(event.origin.brokerID)
        fields.append(event.origin.bootID)
        fields.append(String(event.origin.sequence))
        fields.append(event.connection.websockets.map { $0 ? "1" : "0" })
        fields.append(event.connection.clientCertificate.map { $0 ? "1" : "0" })
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line += "\t" }
            guard let field else {
                line += "\\N"
                continue
            }
            for scalar in field.unicodeScalars {
                switch scalar {
                case "\\": line += "\\\\"
                case "\t": line += "\\t"
                case "\n": line += "\\n"
                case "\r": line += "\\r"
                default: line.unicodeScalars.append(scalar)
                }
            }
        }
        return line + "\n"
    }

    /// The event of one line (without its newline), or nil when the line is not a complete
    /// record of this version (a torn write at a crash, or a future format).
    package static func decode<Line: StringProtocol>(_ line: Line) -> ConnEvent? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBufferPointer { decode(utf8: $0) }
    }

    /// The event of one line's UTF-8 bytes (without its newline), or nil as `decode(_:)`.
    /// Works on bytes: the replay decodes whole 4 MB segments, and going through `Character`s
    /// (String.split, appending scalar by scalar) made that 72 % of the writer's instructions
    /// during a catch-up (callgrind, scripts/profile-callgrind.sh's replay mode).
    package static func decode(utf8 line: UnsafeBufferPointer<UInt8>) -> ConnEvent? {
        var fields: [String?] = []
        fields.reserveCapacity(19)
        var start = 0
        while true {
            var end = start
            var escaped = false
            while end < line.count, line[end] != tab {
                if line[end] == backslash { escaped = true }
                end += 1
            }
            let field = UnsafeBufferPointer(rebasing: line[start..<end])
            if !escaped {
                fields.append(String(decoding: field, as: UTF8.self))
            } else if field.count == 2, field[0] == backslash, field[1] == UInt8(ascii: "N") {
                fields.append(nil)
            } else {
                guard let text = unescape(field) else { return nil }
                fields.append(text)
            }
            guard fields.count <= 19 else { return nil }
            if end == line.count { break }
            start = end + 1
        }
        guard fields.count == 19, fields[0] == version,
            let kindText = fields[1], let kind = ConnEvent.Kind(rawValue: kindText),
            let timestamp = fields[2].flatMap({ Int64($0) }),
            let clientID = fields[3],
            let connectionSequence = fields[9].flatMap({ Int64($0) }),
            let brokerID = fields[14], let bootID = fields[15],
            let sequence = fields[16].flatMap({ Int64($0) })
        else { return nil }
        let details = ConnectionDetails(
            connectionSequence: connectionSequence, listenerPort: fields[10].flatMap { Int($0) },
            keepAliveSeconds: fields[11].flatMap { Int($0) }, cleanStart: fields[12].map { $0 == "1" },
            sessionOutlivesConnection: fields[13] == "1", websockets: fields[17].map { $0 == "1" },
            clientCertificate: fields[18].map { $0 == "1" })
        return ConnEvent(
            kind: kind, timestampMicros: timestamp, clientID: clientID, username: fields[4], peer: fields[5],
            protocol: fields[6], reasonCode: fields[7].flatMap { Int32($0) },
            cause: fields[8].flatMap { ConnEvent.Cause(rawValue: $0) }, connection: details,
            origin: EventOrigin(brokerID: brokerID, bootID: bootID, sequence: sequence, replayed: true))
    }

    private static let tab = UInt8(ascii: "\t")
    private static let backslash = UInt8(ascii: "\\")

    /// A field with escapes (`\\`, `\t`, `\n`, `\r`) as text; nil for any other escape or a
    /// backslash at its end (`\N` is only ever a whole field: absent).
    private static func unescape(_ field: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var index = 0
        while index < field.count {
            let byte = field[index]
            index += 1
            guard byte == backslash else {
                bytes.append(byte)
                continue
            }
            guard index < field.count else { return nil }
            switch field[index] {
            case backslash: bytes.append(backslash)
            case UInt8(ascii: "t"): bytes.append(tab)
            case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "r"): bytes.append(UInt8(ascii: "\r"))
            default: return nil
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

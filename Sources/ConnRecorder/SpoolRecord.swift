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
        var fields: [String?] = []
        var current = ""
        var isNull = false
        var escaping = false
        for scalar in line.unicodeScalars {
            if escaping {
                escaping = false
                switch scalar {
                case "\\": current += "\\"
                case "t": current += "\t"
                case "n": current += "\n"
                case "r": current += "\r"
                case "N" where current.isEmpty: isNull = true
                default: return nil
                }
            } else if scalar == "\\" {
                escaping = true
            } else if scalar == "\t" {
                fields.append(isNull ? nil : current)
                current = ""
                isNull = false
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        guard !escaping else { return nil }
        fields.append(isNull ? nil : current)
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
}

import Foundation

/// Keyset cursors: the last row of a page, as an opaque URL-safe token (`next` in the JSON, `after`
/// in the request). The next page is the rows strictly after that key in the page's order, so rows
/// inserted or changed meanwhile never make a row appear twice or be skipped by an offset.
///
/// The token is base64url (no padding) of the key's fields separated by NUL: PostgreSQL text can
/// hold no NUL, so no client id or broker id can contain the separator.
package enum Cursor {
    /// The key of `/api/v1/clients`' order: `(client_id, broker_id)`.
    package struct Client: Equatable, Sendable {
        package let clientID: String
        package let brokerID: String

        package init(clientID: String, brokerID: String) {
            self.clientID = clientID
            self.brokerID = brokerID
        }
    }

    /// The key of a client's timeline, newest first: `(ts, source, id)`, where `source` tells a
    /// connect/disconnect row (0, client_conn_events) from a session end (1, client_session_ends).
    package struct Event: Equatable, Sendable {
        package let ts: Timestamp
        package let source: Int
        package let id: Int64

        package init(ts: Timestamp, source: Int, id: Int64) {
            self.ts = ts
            self.source = source
            self.id = id
        }
    }

    private static let clientTag = "c1"
    private static let eventTag = "e1"

    package static func encode(_ key: Client) -> String {
        base64url([clientTag, key.clientID, key.brokerID].joined(separator: "\0"))
    }

    package static func encode(_ key: Event) -> String {
        base64url([eventTag, String(key.ts.microseconds), String(key.source), String(key.id)].joined(separator: "\0"))
    }

    /// - Throws: `ParameterError` for `after` when the token is not one this server made for clients.
    package static func decodeClient(_ token: String) throws(ParameterError) -> Client {
        let fields = try fields(token)
        guard fields.count == 3, fields[0] == clientTag else { throw malformed }
        return Client(clientID: fields[1], brokerID: fields[2])
    }

    /// - Throws: `ParameterError` for `after` when the token is not one this server made for events.
    package static func decodeEvent(_ token: String) throws(ParameterError) -> Event {
        let fields = try fields(token)
        guard fields.count == 4, fields[0] == eventTag, let micros = Int64(fields[1]), let source = Int(fields[2]),
            (0...1).contains(source), let id = Int64(fields[3])
        else { throw malformed }
        return Event(ts: Timestamp(microseconds: micros), source: source, id: id)
    }

    private static var malformed: ParameterError {
        ParameterError(parameter: "after", problem: "is not a cursor this API returned as 'next'")
    }

    private static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func fields(_ token: String) throws(ParameterError) -> [String] {
        guard !token.isEmpty, token.utf8.allSatisfy({ byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_")
        }) else { throw malformed }
        var standard = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        guard let data = Data(base64Encoded: standard), let text = String(data: data, encoding: .utf8) else {
            throw malformed
        }
        return text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    }
}

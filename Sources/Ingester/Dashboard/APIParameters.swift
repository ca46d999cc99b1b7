/// The parameters of the API and of the pages that show the same data, parsed and checked before
/// any query runs. Each failure names its parameter (`ParameterError`), answered with 400.
package enum ClientState: String, CaseIterable, Sendable {
    case online
    case sessionKept = "session_kept"
    case offline
    case unknown
}

/// `GET /api/v1/clients` and the clients page.
package struct ClientListQuery: Equatable, Sendable {
    package var broker: String?
    package var state: ClientState?
    /// Client ids starting with this text (case-sensitive).
    package var prefix: String?
    package var username: String?
    package var limit: Int
    package var after: Cursor.Client?

    package static let defaultLimit = 100
    package static let parameters: Set<String> = ["broker", "state", "prefix", "username", "limit", "after"]

    package init(
        broker: String? = nil, state: ClientState? = nil, prefix: String? = nil, username: String? = nil,
        limit: Int = defaultLimit, after: Cursor.Client? = nil
    ) {
        self.broker = broker
        self.state = state
        self.prefix = prefix
        self.username = username
        self.limit = limit
        self.after = after
    }

    /// - Parameter strict: refuse parameters this query does not know (the API); the pages ignore them.
    package static func parse(_ pairs: [(name: String, value: String)], strict: Bool) throws(ParameterError) -> Self {
        let values = try APIParameters.collect(pairs, known: parameters, strict: strict)
        var query = ClientListQuery()
        query.broker = values["broker"].flatMap(APIParameters.nonEmpty)
        if let text = values["state"].flatMap(APIParameters.nonEmpty) {
            guard let state = ClientState(rawValue: text) else {
                throw ParameterError(
                    parameter: "state",
                    problem: "must be one of online, session_kept, offline, unknown, not '\(APIParameters.quote(text))'")
            }
            query.state = state
        }
        query.prefix = values["prefix"].flatMap(APIParameters.nonEmpty)
        query.username = values["username"].flatMap(APIParameters.nonEmpty)
        query.limit = try APIParameters.limit(values["limit"], default: defaultLimit)
        if let after = values["after"].flatMap(APIParameters.nonEmpty) { query.after = try Cursor.decodeClient(after) }
        return query
    }
}

/// `GET /api/v1/clients/{client_id}/events` and the client page's timeline.
package struct EventQuery: Equatable, Sendable {
    /// Events at or after this time (nil: from the start of the history).
    package var from: Timestamp?
    /// Events before this time (nil: up to now).
    package var to: Timestamp?
    package var limit: Int
    package var after: Cursor.Event?

    package static let defaultLimit = 100
    package static let parameters: Set<String> = ["from", "to", "limit", "after"]

    package init(from: Timestamp? = nil, to: Timestamp? = nil, limit: Int = defaultLimit, after: Cursor.Event? = nil) {
        self.from = from
        self.to = to
        self.limit = limit
        self.after = after
    }

    package static func parse(_ pairs: [(name: String, value: String)], strict: Bool) throws(ParameterError) -> Self {
        let values = try APIParameters.collect(pairs, known: parameters, strict: strict)
        var query = EventQuery()
        query.from = try APIParameters.time(values["from"], parameter: "from")
        query.to = try APIParameters.time(values["to"], parameter: "to")
        if let from = query.from, let to = query.to, from >= to {
            throw ParameterError(parameter: "from", problem: "must be earlier than 'to'")
        }
        query.limit = try APIParameters.limit(values["limit"], default: defaultLimit)
        if let after = values["after"].flatMap(APIParameters.nonEmpty) { query.after = try Cursor.decodeEvent(after) }
        return query
    }
}

package enum APIParameters {
    package static let maximumLimit = 1000

    /// One value per name; a repeated or (when strict) unknown parameter is refused.
    static func collect(_ pairs: [(name: String, value: String)], known: Set<String>, strict: Bool)
        throws(ParameterError) -> [String: String]
    {
        var values: [String: String] = [:]
        for (name, value) in pairs {
            guard known.contains(name) else {
                if strict {
                    throw ParameterError(
                        parameter: quote(name), problem: "is not known here (known: \(known.sorted().joined(separator: ", ")))")
                }
                continue
            }
            guard values[name] == nil else { throw ParameterError(parameter: name, problem: "is given more than once") }
            values[name] = value
        }
        return values
    }

    static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    static func limit(_ text: String?, default value: Int) throws(ParameterError) -> Int {
        guard let text, !text.isEmpty else { return value }
        guard text.count <= 7, text.allSatisfy({ $0.isASCII && $0.isNumber }), let limit = Int(text),
            (1...maximumLimit).contains(limit)
        else {
            throw ParameterError(
                parameter: "limit", problem: "must be a whole number from 1 to \(maximumLimit), not '\(quote(text))'")
        }
        return limit
    }

    static func time(_ text: String?, parameter: String) throws(ParameterError) -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        guard let time = Timestamp.parse(text) else {
            throw ParameterError(
                parameter: parameter,
                problem: "must be an RFC 3339 time (2026-12-03T08:00:00Z) or a date (2026-12-03), not '\(quote(text))'")
        }
        return time
    }

    /// A client-chosen value for an error message: at most 80 characters, control characters shown
    /// as `?` (the message is JSON-encoded and HTML-escaped where it is shown).
    static func quote(_ text: String) -> String {
        let shortened = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return String(shortened.map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? "?" : $0 })
    }
}

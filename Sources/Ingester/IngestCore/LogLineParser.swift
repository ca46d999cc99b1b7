/// Turns one `$SYS/broker/log/...` payload into a `BrokerLogEvent`. Total: every input gives exactly one
/// event, and a line it cannot place becomes `.unknown` with `raw` kept.
///
/// Client ids, usernames and topic filters are chosen by clients and may contain spaces,
/// brackets, quotes or text imitating the broker's wording. The parser therefore anchors on what
/// a client cannot forge: the log topic (stream), the fixed start of each line, the peer address
/// the broker prints before the id, and the fixed-format suffix the broker prints after it
/// (searched from the right). docs/sys-ingester.md lists every shape and the ambiguity left.
package struct LogLineParser: Sendable {
    /// The generation whose wording is expected; `.unknown` tries 2.1, then 2.0.
    package var dialect: BrokerDialect

    package init(dialect: BrokerDialect = .unknown) {
        self.dialect = dialect
    }

    /// Parses one log line.
    ///
    /// - Parameters:
    ///   - stream: the log topic the line arrived on.
    ///   - payload: the message text, `1700000000: New client connected from ...`.
    ///   - receivedAtMicros: ingest time (epoch microseconds), used when the line has no epoch prefix.
    ///   - isKnownClient: whether a client id has an open session; splits `ID QOS TOPIC` lines whose
    ///     id or topic contains spaces.
    package func parse(
        stream: LogStream, payload: String, receivedAtMicros: Int64, isKnownClient: (String) -> Bool = { _ in false }
    ) -> BrokerLogEvent {
        let raw = payload.contains("\0") ? String(payload.map { $0 == "\0" ? "\u{FFFD}" : $0 }) : payload
        let line = ByteText(raw)
        let (epochMicros, bodyStart) = Self.splitTimestamp(line)
        var event = BrokerLogEvent(
            action: .unknown, raw: raw, timestampMicros: epochMicros ?? receivedAtMicros,
            timestampFromLine: epochMicros != nil)
        let body = ByteText(bytes: line.bytes[bodyStart...])
        switch stream {
        case .subscribe:
            parseSubscribe(body, into: &event, isKnownClient: isKnownClient)
        case .unsubscribe:
            parseUnsubscribe(body, into: &event, isKnownClient: isKnownClient)
        default:
            parseNotice(body, into: &event)
        }
        return event
    }

    // MARK: - Timestamp prefix

    /// Splits `1700000000: rest` into the epoch (in microseconds) and the offset of `rest`. A prefix
    /// in another format (`log_timestamp_format`, e.g. `2024-05-01T10:00:00: `) is skipped without
    /// a time; a line without prefix (`log_timestamp false`) is returned whole. Seconds beyond
    /// Int64 microseconds (about the year 294,000, where PostgreSQL's timestamps end too) give no time.
    static func splitTimestamp(_ line: ByteText) -> (epochMicros: Int64?, bodyStart: Int) {
        let bytes = line.bytes
        var digits = 0
        while digits < bytes.count, digits < 20, bytes[digits] >= 0x30, bytes[digits] <= 0x39 { digits += 1 }
        if digits > 0, line.matches(Array(": ".utf8), at: digits), let value = ByteText.decimal(bytes[0..<digits]) {
            let (micros, overflow) = Int64(value).multipliedReportingOverflow(by: 1_000_000)
            return (overflow ? nil : micros, digits + 2)
        }
        // Another strftime format: a run of date/time characters that starts with a digit.
        guard digits > 0 else { return (nil, 0) }
        let allowed = Set("0123456789-:T.+Z/, ".utf8)
        var index = 0
        while index < bytes.count, index < 48, allowed.contains(bytes[index]) {
            if index >= 6, line.matches(Array(": ".utf8), at: index) { return (nil, index + 2) }
            index += 1
        }
        return (nil, 0)
    }

    // MARK: - Notice, information, warning and error lines

    private func parseNotice(_ body: ByteText, into event: inout BrokerLogEvent) {
        if body.hasPrefix("New client connected from ") {
            parseConnect(body, prefix: "New client connected from ", into: &event)
        } else if body.hasPrefix("New bridge connected from ") {
            parseConnect(body, prefix: "New bridge connected from ", into: &event)
        } else if body.hasPrefix("New connection from ") || body.hasPrefix("Client connection from ")
            || body.hasPrefix("Client from ")
        {
            event.action = .connInfo
        } else if body.hasPrefix("Client ") {
            parseClientLine(body, into: &event)
        } else if body.hasPrefix("Expiring client "), body.hasSuffix(" due to timeout.") {
            let start = "Expiring client ".utf8.count
            let end = body.count - " due to timeout.".utf8.count
            if end > start {
                event.action = .connInfo
                event.client = body.string(start..<end)
            }
        } else if body.hasPrefix("Saving in-memory database to ") {
            event.action = .checkpoint
        } else if body.hasPrefix("mosquitto version ") {
            parseLifecycle(body, into: &event)
        }
    }

    /// `New client connected from ADDR:PORT as ID (pN, cN, kN[, u'USER']).`
    private func parseConnect(_ body: ByteText, prefix: String, into event: inout BrokerLogEvent) {
        // The address is the broker's rendering of the peer (no spaces), so the first " as " ends it.
        guard let asOffset = body.firstOffset(of: " as ", from: prefix.utf8.count) else { return }
        let tail = ByteText(bytes: body.bytes[(asOffset + 4)...])
        if tail.hasSuffix("').") {
            // Both the id and the username are client-chosen; each " (pN, cN, kN, u'" is a possible
            // boundary. The last one is taken: an id imitating the suffix is read correctly, a
            // username containing it is not (documented).
            let candidates = tail.offsets(of: " (p").compactMap { offset -> (Int, Int)? in
                guard let flagsEnd = Self.scanFlags(tail, at: offset), tail.matches(Array(", u'".utf8), at: flagsEnd)
                else { return nil }
                return (offset, flagsEnd + 4)
            }
            guard let (offset, userStart) = candidates.last, offset > 0, userStart <= tail.count - 3 else { return }
            event.action = .connected
            event.client = tail.string(upTo: offset)
            event.username = tail.string(userStart..<(tail.count - 3))
            event.ambiguous = candidates.count > 1
        } else if tail.hasSuffix(")."), let offset = tail.lastOffset(of: " (p"), offset > 0,
            let flagsEnd = Self.scanFlags(tail, at: offset), flagsEnd == tail.count - 2
        {
            event.action = .connected
            event.client = tail.string(upTo: offset)
        }
    }

    /// Matches ` (p<digits>, c<digits>, k<digits>` at `offset`; returns the offset after it.
    static func scanFlags(_ text: ByteText, at offset: Int) -> Int? {
        var index = offset
        func literal(_ string: String) -> Bool {
            let pattern = Array(string.utf8)
            guard text.matches(pattern, at: index) else { return false }
            index += pattern.count
            return true
        }
        func digits() -> Bool {
            let start = index
            while index < text.count, index - start < 10, text.bytes[index] >= 0x30, text.bytes[index] <= 0x39 {
                index += 1
            }
            return index > start
        }
        guard literal(" (p"), digits(), literal(", c"), digits(), literal(", k"), digits() else { return nil }
        return index
    }

    /// Lines starting `Client `: disconnects of both generations, takeovers, TLS information.
    private func parseClientLine(_ body: ByteText, into event: inout BrokerLogEvent) {
        let text = ByteText(bytes: body.bytes[("Client ".utf8.count)...])
        if dialect != .v20, parseDisconnect21(text, into: &event) { return }
        if dialect != .v21, parseDisconnect20(text, into: &event) { return }
        // `Client ID negotiated TLSv1.3 cipher NAME` (2.1): the last " negotiated " is the broker's.
        if let offset = text.lastOffset(of: " negotiated "), offset > 0 {
            let rest = text.string(from: offset + " negotiated ".utf8.count).split(separator: " ")
            if rest.count == 3, rest[1] == "cipher" {
                event.action = .connInfo
                event.client = text.string(upTo: offset)
            }
        }
    }

    /// 2.1: `ID [ADDR:PORT] disconnected.` or `ID [ADDR:PORT] disconnected: REASON`. The reasons
    /// never contain " [", so the last " [" is the broker's even when the id contains one.
    private func parseDisconnect21(_ text: ByteText, into event: inout BrokerLogEvent) -> Bool {
        guard let open = text.lastOffset(of: " ["), open > 0,
            let close = text.firstOffset(of: "] disconnected", from: open + 2)
        else { return false }
        let address = text.bytes[(open + 2)..<close]
        guard !address.isEmpty, !address.contains(UInt8(ascii: " ")), !address.contains(UInt8(ascii: "[")),
            let colon = address.lastIndex(of: UInt8(ascii: ":")), ByteText.decimal(address[(colon + 1)...]) != nil
        else { return false }
        let after = close + "] disconnected".utf8.count
        guard
            after == text.count - 1 && text.bytes[after] == UInt8(ascii: ".")
                || text.matches(Array(": ".utf8), at: after)
        else { return false }
        let client = text.string(upTo: open)
        event.action = .disconnected
        event.client = client
        // Before CONNECT the broker has no id and prints the peer's address instead (loop.c).
        event.clientIsAddress = client == String(decoding: address[..<colon], as: UTF8.self)
        return true
    }

    /// 2.0 wordings, every one a fixed suffix after the id (strings of mosquitto 2.0.11).
    private static let disconnectSuffixes20 = [
        " disconnected.",
        " closed its connection.",
        " has exceeded timeout, disconnecting.",
        " disconnected, not authorised.",
        " been disconnected by administrative action.",
        " already connected, closing old connection.",
        " disconnected due to protocol error.",
        " disconnected due to malformed packet.",
        " disconnected due to out of memory.",
        " disconnected due to oversize packet.",
        " disconnected due to oversize payload.",
        " disconnected due to QoS too high or retain not supported.",
    ]

    private func parseDisconnect20(_ text: ByteText, into event: inout BrokerLogEvent) -> Bool {
        var idEnd: Int?
        for suffix in Self.disconnectSuffixes20 where text.hasSuffix(suffix) {
            idEnd = text.count - suffix.utf8.count
            break
        }
        // `ID disconnected: STRERROR.` (a socket error); strerror texts never contain " disconnected: ".
        if idEnd == nil, text.hasSuffix("."), let offset = text.lastOffset(of: " disconnected: ") {
            idEnd = offset
        }
        guard let idEnd, idEnd > 0 else { return false }
        let client = text.string(upTo: idEnd)
        event.action = .disconnected
        if client == "<unknown>" {
            event.clientIsAddress = true
        } else {
            event.client = client
        }
        return true
    }

    /// `mosquitto version 2.1.2 starting` / `running` / `terminating`.
    private func parseLifecycle(_ body: ByteText, into event: inout BrokerLogEvent) {
        let words = body.string(from: "mosquitto version ".utf8.count).split(separator: " ")
        guard words.count == 2 else { return }
        let version = String(words[0])
        switch words[1] {
        case "starting", "running": event.lifecycle = .started(version: version)
        case "terminating": event.lifecycle = .terminating(version: version)
        default: break
        }
    }

    // MARK: - Subscribe and unsubscribe lines

    /// `ID QOS TOPIC` on `$SYS/broker/log/M/subscribe`. Both the id and the topic filter may
    /// contain " 1 "; a split whose id has an open session is preferred, else the first one.
    private func parseSubscribe(_ body: ByteText, into event: inout BrokerLogEvent, isKnownClient: (String) -> Bool) {
        let bytes = body.bytes
        var candidates: [Int] = []
        var offset = 1
        while offset + 3 < bytes.count {
            if bytes[offset] == 0x20, bytes[offset + 1] >= 0x30, bytes[offset + 1] <= 0x32, bytes[offset + 2] == 0x20 {
                candidates.append(offset)
            }
            offset += 1
        }
        guard !candidates.isEmpty else { return }
        let known = candidates.filter { isKnownClient(body.string(upTo: $0)) }
        let chosen = known.last ?? candidates[0]
        event.action = .subscribe
        event.client = body.string(upTo: chosen)
        event.qos = Int(bytes[chosen + 1] - 0x30)
        event.topic = body.string(from: chosen + 3)
        event.ambiguous = candidates.count > 1 && known.count != 1
    }

    /// `ID TOPIC` on `$SYS/broker/log/M/unsubscribe`; split like subscribe lines, at a space.
    private func parseUnsubscribe(_ body: ByteText, into event: inout BrokerLogEvent, isKnownClient: (String) -> Bool) {
        let bytes = body.bytes
        var candidates: [Int] = []
        var offset = 1
        while offset + 1 < bytes.count {
            if bytes[offset] == 0x20 { candidates.append(offset) }
            offset += 1
        }
        guard !candidates.isEmpty else { return }
        let known = candidates.filter { isKnownClient(body.string(upTo: $0)) }
        let chosen = known.last ?? candidates[0]
        event.action = .unsubscribe
        event.client = body.string(upTo: chosen)
        event.topic = body.string(from: chosen + 1)
        event.qos = 0
        event.ambiguous = candidates.count > 1 && known.count != 1
    }
}

import ConnRecorder
import Storage

/// A pgbench script that runs the plugin's own write statement with parameters made by the
/// plugin's own encoder (`ConnStatements.batchParameters`), so a benchmark's baseline is the plugin's
/// write and nothing else: no second copy of the SQL or of its encoding.
///
/// Each `$n` of the statement becomes the encoded value as a SQL string constant; the parts that
/// must differ between transactions (client ids and event keys) carry the marker `@K@`, which
/// `replace(…, '@K@', :k::text)` swaps for pgbench's random `:k` at run time.
struct PgbenchScript {
    enum Write: String, CaseIterable {
        /// write_batch.sql: seed 000's history INSERT and client_sessions UPSERT, one statement.
        case seed
        /// What the plugin sends for connects and disconnects where schema/003_presence.sql is
        /// applied: the same statement with per-broker presence (ConnStatements.writeEvents).
        case events
    }

    static let marker = "@K@"

    let write: Write
    /// Events per statement. 1: a connect and then a disconnect of one new client, each its own
    /// statement (one transaction each), as the plugin writes them in sync mode. More: one statement
    /// of that many events (half connects, half disconnects of distinct clients), as a batch.
    let eventsPerWrite: Int

    var statement: PreparedStatement {
        switch write {
        case .seed: ConnStatements.writeBatch(idempotent: true)
        case .events: ConnStatements.writeEvents(idempotent: true, sessionEnds: false)
        }
    }

    func render() -> String {
        var lines = [
            "-- pgbench script made by `conn-sql pgbench-script --write \(write.rawValue) --events \(eventsPerWrite)` from the",
            "-- plugin's \(statement.name) statement and parameter encoding. One run: "
                + (eventsPerWrite == 1
                    ? "a client's connect and disconnect, one statement (transaction) each."
                    : "one statement of \(eventsPerWrite) events."),
            "\\set k random(1, 1000000000000000)",
        ]
        if eventsPerWrite == 1 {
            lines.append(command(for: [Self.event(.connect, client: 0, sequence: 1)]))
            lines.append(command(for: [Self.event(.disconnect, client: 0, sequence: 2)]))
        } else {
            let clients = max(1, eventsPerWrite / 2)
            var events: [ConnEvent] = []
            for client in 0..<clients {
                events.append(Self.event(.connect, client: client, sequence: Int64(2 * client + 1)))
                if events.count < eventsPerWrite {
                    events.append(Self.event(.disconnect, client: client, sequence: Int64(2 * client + 2)))
                }
            }
            lines.append(command(for: events))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The statement with its parameters in place, on one line (pgbench reads a command up to a
    /// line that ends with `;`), without the file's comment lines.
    private func command(for events: [ConnEvent]) -> String {
        let values = ConnStatements.batchParameters(events)
        let sql = statement.sql.split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("--") }
            .map { $0.trimmingSpaces() }.joined(separator: " ")
        return Self.substitute(sql, values) + ";"
    }

    /// Replaces `$1`…`$n` (highest first, so `$1` never eats the start of `$10`).
    static func substitute(_ sql: String, _ values: [PostgresValue?]) -> String {
        var text = sql
        for (index, value) in values.enumerated().reversed() {
            text = text.replacing("$\(index + 1)", with: literal(value))
        }
        return text
    }

    /// The value as a SQL expression pgbench leaves alone: pgbench takes every `:name` in a command
    /// for a variable (`"seq":1` in the JSON would be one), so colons travel as `@C@` and are put back
    /// by the server.
    static func literal(_ value: PostgresValue?) -> String {
        guard let value else { return "NULL" }
        let text = value.textRepresentation
        var expression = "'" + text.replacing("'", with: "''").replacing(":", with: colonMarker) + "'"
        if text.contains(":") { expression = "replace(\(expression), '\(colonMarker)', chr(58))" }
        if text.contains(marker) { expression = "replace(\(expression), '\(marker)', :k::text)" }
        return expression
    }

    static let colonMarker = "@C@"

    static func event(_ kind: ConnEvent.Kind, client: Int, sequence: Int64) -> ConnEvent {
        // A fixed time: each run writes new clients, so no row is ever older than the one it updates.
        let connectedAt: Int64 = 1_767_225_600_000_000  // 2026-01-01 00:00 UTC
        return ConnEvent(
            kind: kind, timestampMicros: connectedAt + Int64(client) * 10 + (kind == .connect ? 0 : 5),
            clientID: "pgbench-\(marker)-\(client)", username: nil, peer: "127.0.0.1", protocol: "MQTT/3.1.1",
            reasonCode: kind == .disconnect ? 0 : nil, cause: kind == .disconnect ? .disconnect : nil,
            connection: ConnectionDetails(
                connectionSequence: Int64(client + 1), listenerPort: 1883, keepAliveSeconds: 60, cleanStart: true),
            origin: EventOrigin(brokerID: "pgbench", bootID: "pgbench-\(marker)", sequence: sequence))
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " })
    }
}

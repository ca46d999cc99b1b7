import Foundation
import MQTTWire

/// A broker with the conn-plugin loaded, recording into its own scratch database.
final class ConnPluginFixture {
    let database: ScratchDatabase
    let broker: BrokerProcess
    let spoolDirectory: String

    /// - Parameters:
    ///   - options: extra `plugin_opt_conn_*` lines (without the DSN, which points at `database`
    ///     unless `dsn` is given).
    init(label: String, options: [String] = [], dsn: String? = nil, extraConfig: [String] = [],
         database existing: ScratchDatabase? = nil, spoolDirectory: String? = nil) throws {
        let plugin = try TestEnvironment.require(.connPlugin)
        database = try existing ?? ScratchDatabase.create(label: label)
        self.spoolDirectory = try spoolDirectory ?? (TestEnvironment.makeScratchDirectory(label: label) + "/spool")
        broker = try BrokerProcess.start(
            .v21,
            extraConfig: extraConfig + [
                "plugin \(plugin)",
                "plugin_opt_conn_pg_dsn \(dsn ?? database.dsn)",
                "plugin_opt_conn_spool_dir \(self.spoolDirectory)",
                "plugin_opt_conn_status_interval 1",
            ] + options)
    }

    deinit {
        broker.kill9()
        database.drop()
    }

    /// A connected client (CONNACK accepted).
    func client(_ id: String, _ version: MQTTProtocolVersion = .v311, username: String? = nil,
                cleanSession: Bool = true, keepAlive: UInt16 = 60, sessionExpiry: UInt32? = nil) throws -> MQTTWireClient {
        let client = try MQTTWireClient(port: broker.port)
        let ack = try client.connect(
            clientID: id, protocol: version, username: username, cleanSession: cleanSession, keepAlive: keepAlive,
            sessionExpiry: sessionExpiry)
        guard ack.isAccepted else { throw FixtureError("CONNACK refused \(ack.returnCode) for \(id)") }
        return client
    }

    /// Rows of client_conn_events for `clientID`, oldest first: (event_type, reason_code, extra->>'cause').
    func history(_ clientID: String) throws -> [(type: String, reason: Int?, cause: String?)] {
        try database.query(
            "SELECT event_type, reason_code, extra->>'cause' FROM client_conn_events WHERE client_id = $1 ORDER BY ts, id",
            [clientID]
        ).map { ($0[0] ?? "", $0[1].flatMap { Int($0) }, $0[2]) }
    }

    /// Waits until `clientID` has `count` rows in client_conn_events.
    @discardableResult
    func waitForHistory(_ clientID: String, count: Int, timeout: Double = 15) throws
        -> [(type: String, reason: Int?, cause: String?)]
    {
        try waitForValue(timeout: timeout, "\(count) history rows for \(clientID.prefix(40))") {
            let rows = try history(clientID)
            return rows.count >= count ? rows : nil
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

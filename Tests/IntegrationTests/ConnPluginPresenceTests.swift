import Foundation
import MQTTWire
import Testing

/// Presence through a real mosquitto 2.1: every state of docs/events.md ("Presence") is reached
/// and left by what brokers and clients really do, and client_presence agrees with the broker's
/// own count.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct ConnPluginPresenceTests {
    /// The client_presence state of `client` through broker `broker` (nil: no row).
    static func state(_ database: ScratchDatabase, _ client: String, broker: String) throws -> String? {
        try database.query(
            "SELECT state FROM client_presence WHERE client_id = $1 AND broker_id = $2", [client, broker]
        ).first?.first ?? nil
    }

    static func waitForState(
        _ database: ScratchDatabase, _ client: String, broker: String, _ expected: String, timeout: Double = 15
    ) throws {
        try waitUntil(timeout: timeout, "\(client) \(expected) on \(broker)") {
            try state(database, client, broker: broker) == expected
        }
    }

    static func sessionEnds(_ database: ScratchDatabase, _ client: String) throws -> [String] {
        try database.query("SELECT cause FROM client_session_ends WHERE client_id = $1 ORDER BY ts, id", [client])
            .map { $0[0] ?? "" }
    }

    @Test func eachStateIsReachedAndLeft() throws {
        let broker = "presence-states"
        let fixture = try ConnPluginFixture(label: "presence", options: ["plugin_opt_conn_broker_id \(broker)"])
        let database = fixture.database

        // online -> offline: a clean session.
        let plain = try fixture.client("plain")
        try Self.waitForState(database, "plain", broker: broker, "online")
        plain.disconnect(waitForClose: true)
        try Self.waitForState(database, "plain", broker: broker, "offline")

        // online -> session_kept -> offline: an MQTT 5 session expiring 2 s after its connection.
        let sleepy = try fixture.client("sleepy", .v5, sessionExpiry: 2)
        try Self.waitForState(database, "sleepy", broker: broker, "online")
        sleepy.disconnect(waitForClose: true)
        try Self.waitForState(database, "sleepy", broker: broker, "session_kept")
        try Self.waitForState(database, "sleepy", broker: broker, "offline", timeout: 20)
        #expect(try Self.sessionEnds(database, "sleepy") == ["session_expired"])
        #expect(try database.query(
            "SELECT extra->>'session_state', extra->>'session_end_cause', extra ? 'session_ended_at' FROM client_sessions WHERE client_id = 'sleepy'"
        ) == [["ended", "session_expired", "t"]])
        // Still exactly one disconnect row for the one connection.
        #expect(try fixture.history("sleepy").map(\.type) == ["connect", "disconnect"])

        // session_kept -> online (resumed) -> session_kept -> online (clean start discards it).
        let keeper = try fixture.client("keeper", cleanSession: false)
        keeper.disconnect(waitForClose: true)
        try Self.waitForState(database, "keeper", broker: broker, "session_kept")
        let resumed = try fixture.client("keeper", cleanSession: false)
        try Self.waitForState(database, "keeper", broker: broker, "online")
        resumed.disconnect(waitForClose: true)
        try Self.waitForState(database, "keeper", broker: broker, "session_kept")
        let fresh = try fixture.client("keeper", cleanSession: true)
        try Self.waitForState(database, "keeper", broker: broker, "online")
        #expect(try Self.sessionEnds(database, "keeper") == ["session_discarded"])
        fresh.disconnect(waitForClose: true)
        try Self.waitForState(database, "keeper", broker: broker, "offline")
        #expect(try Self.sessionEnds(database, "keeper") == ["session_discarded"])
        #expect(try database.intScalar("SELECT count(*) FROM client_conn_events WHERE client_id = 'keeper' AND event_type = 'disconnect'") == 3)
    }

    @Test func brokerKilledAndNeverRestartedMakesItsClientsUnknown() throws {
        let broker = "presence-killed"
        let fixture = try ConnPluginFixture(label: "killed", options: ["plugin_opt_conn_broker_id \(broker)"])
        let database = fixture.database
        let online = try fixture.client("on-killed-broker")
        let kept = try fixture.client("kept-on-killed-broker", cleanSession: false)
        kept.disconnect(waitForClose: true)
        let gone = try fixture.client("gone-before-kill")
        gone.disconnect(waitForClose: true)
        try Self.waitForState(database, "on-killed-broker", broker: broker, "online")
        try Self.waitForState(database, "kept-on-killed-broker", broker: broker, "session_kept")
        try Self.waitForState(database, "gone-before-kill", broker: broker, "offline")
        fixture.broker.kill9()
        _ = online
        // Three missed heartbeats (status interval 1 s): nobody can know any more.
        try Self.waitForState(database, "on-killed-broker", broker: broker, "unknown", timeout: 20)
        try Self.waitForState(database, "kept-on-killed-broker", broker: broker, "unknown", timeout: 5)
        #expect(try Self.state(database, "gone-before-kill", broker: broker) == "offline")
        #expect(try database.query("SELECT stopped_at IS NULL, status_interval_s FROM broker_status WHERE broker_id = $1", [broker]) == [["t", "1"]])
        // `since` is the broker's last sign of life.
        #expect(try database.intScalar(
            "SELECT count(*) FROM client_presence p JOIN broker_status b USING (broker_id) WHERE p.state = 'unknown' AND p.since = b.last_seen") == 2)
    }

    @Test func cleanStopWithoutPersistenceEndsEverySession() throws {
        let broker = "presence-stop"
        let fixture = try ConnPluginFixture(label: "stop", options: ["plugin_opt_conn_broker_id \(broker)"])
        let database = fixture.database
        let online = try fixture.client("online-at-stop")
        let persistent = try fixture.client("persistent-at-stop", cleanSession: false)
        let kept = try fixture.client("kept-at-stop", .v5, sessionExpiry: 3600)
        kept.disconnect(waitForClose: true)
        try Self.waitForState(database, "kept-at-stop", broker: broker, "session_kept")
        try Self.waitForState(database, "persistent-at-stop", broker: broker, "online")
        fixture.broker.stop()
        _ = (online, persistent)
        #expect(try database.query("SELECT stopped_at IS NOT NULL FROM broker_status WHERE broker_id = $1", [broker]) == [["t"]])
        for client in ["online-at-stop", "persistent-at-stop", "kept-at-stop"] {
            #expect(try Self.state(database, client, broker: broker) == "offline", "\(client)")
        }
        #expect(try Self.sessionEnds(database, "kept-at-stop") == ["broker_shutdown"])
        #expect(try fixture.history("persistent-at-stop").last?.cause == "broker_shutdown")
    }

    @Test func sessionsKeptAcrossARestartWithPersistenceAndEndedWithout() throws {
        let broker = "presence-persist"
        let data = try TestEnvironment.makeScratchDirectory(label: "presence-persist") + "/"
        let fixture = try ConnPluginFixture(
            label: "persist", options: ["plugin_opt_conn_broker_id \(broker)"],
            extraConfig: ["persistence true", "persistence_location \(data)", "autosave_interval 1"])
        let database = fixture.database
        let connected = try fixture.client("connected-at-restart", cleanSession: false)
        let offline = try fixture.client("offline-at-restart", cleanSession: false)
        offline.disconnect(waitForClose: true)
        let plain = try fixture.client("plain-at-restart")
        try Self.waitForState(database, "offline-at-restart", broker: broker, "session_kept")
        try Self.waitForState(database, "plain-at-restart", broker: broker, "online")
        fixture.broker.stop()
        _ = (connected, plain)
        // A clean stop with persistence: the sessions the broker saves stay kept.
        #expect(try Self.state(database, "connected-at-restart", broker: broker) == "session_kept")
        #expect(try Self.state(database, "offline-at-restart", broker: broker) == "session_kept")
        #expect(try Self.state(database, "plain-at-restart", broker: broker) == "offline")
        // Restarted from its saved state: the broker still holds both sessions.
        try fixture.broker.restart()
        try waitUntil(timeout: 15, "the restarted run's heartbeat") {
            try database.intScalar("SELECT count(*) FROM broker_status WHERE broker_id = '\(broker)' AND stopped_at IS NULL") == 1
        }
        Thread.sleep(forTimeInterval: 2)  // the check at start runs on the broker's tick
        #expect(try Self.state(database, "connected-at-restart", broker: broker) == "session_kept")
        #expect(try Self.state(database, "offline-at-restart", broker: broker) == "session_kept")
        #expect(try Self.sessionEnds(database, "offline-at-restart").isEmpty)
        // Restarted without its saved state: neither session is held any more.
        fixture.broker.stop()
        try FileManager.default.removeItem(atPath: data + "mosquitto.db")
        try fixture.broker.restart()
        try Self.waitForState(database, "offline-at-restart", broker: broker, "offline")
        try Self.waitForState(database, "connected-at-restart", broker: broker, "offline")
        #expect(try Self.sessionEnds(database, "offline-at-restart") == ["session_not_restored"])
    }

    @Test func aClientOnTwoBrokersStaysOnlineOnTheOneItDidNotLeave() throws {
        let database = try ScratchDatabase.create(label: "two_brokers")
        let brokerA = try ConnPluginFixture(label: "two-a", options: ["plugin_opt_conn_broker_id broker-a"], database: database)
        let brokerB = try ConnPluginFixture(label: "two-b", options: ["plugin_opt_conn_broker_id broker-b"], database: database)
        let onA = try brokerA.client("roamer")
        try Self.waitForState(database, "roamer", broker: "broker-a", "online")
        let onB = try brokerB.client("roamer")
        try Self.waitForState(database, "roamer", broker: "broker-b", "online")
        onB.disconnect(waitForClose: true)
        try Self.waitForState(database, "roamer", broker: "broker-b", "offline")
        #expect(try Self.state(database, "roamer", broker: "broker-a") == "online")
        // One row per client (seed 000): it shows the newest event, B's disconnect.
        #expect(try database.query("SELECT last_event_type, extra->>'broker_id' FROM client_sessions WHERE client_id = 'roamer'") == [["disconnect", "broker-b"]])
        _ = onA
    }

    /// Reads `$SYS/broker/clients/connected` (refreshed every sys_interval, 1 s here) until it
    /// equals what client_presence counts online for `broker`; the reader is a client of both.
    @Test func mixedWorkloadOnlineCountEqualsTheBrokersOwnCount() throws {
        let broker = "presence-mixed"
        let fixture = try ConnPluginFixture(
            label: "mixed", options: ["plugin_opt_conn_broker_id \(broker)"], extraConfig: ["sys_interval 1"])
        let database = fixture.database
        var stay: [MQTTWireClient] = []
        for index in 0..<5 { stay.append(try fixture.client("stay-\(index)")) }
        for index in 0..<10 { try fixture.client("cycle-\(index)").disconnect(waitForClose: true) }
        // Takeovers: the same client id twice; the second connection replaces the first.
        let first = try fixture.client("taken-over")
        stay.append(try fixture.client("taken-over"))
        // Dropped persistent sessions.
        for index in 0..<3 { try fixture.client("dropped-\(index)", cleanSession: false).dropConnection() }
        // A keepalive timeout: 1 s keepalive and silence.
        let silent = try fixture.client("silent", keepAlive: 1)
        try fixture.waitForHistory("silent", count: 2, timeout: 15)
        _ = (first, silent)
        try waitUntil(timeout: 15, "dropped sessions recorded") {
            try database.intScalar("SELECT count(*) FROM client_presence WHERE client_id LIKE 'dropped-%' AND state = 'session_kept'") == 3
        }
        let reader = try MQTTWireClient(port: fixture.broker.port)
        _ = try reader.connect(clientID: "sys-reader", protocol: .v311)
        _ = try reader.subscribe(topic: "$SYS/broker/clients/connected")
        var last: (sys: Int, presence: Int) = (-1, -2)
        try waitUntil(timeout: 20, "client_presence online == $SYS clients/connected") {
            if let message = try reader.readPublish(timeoutMilliseconds: 1500),
                let value = Int(String(decoding: message.payload, as: UTF8.self))
            {
                last.sys = value
            }
            last.presence = try database.intScalar(
                "SELECT count(*) FROM client_presence WHERE broker_id = '\(broker)' AND state = 'online'") ?? -1
            return last.sys == last.presence
        }
        print("mixed workload: $SYS clients/connected \(last.sys), client_presence online \(last.presence)")
        #expect(last.sys == 7)  // 5 stayers, the takeover's second connection, the reader
        reader.disconnect()
        _ = stay
    }
}

/// The plugin and sys-ingester watching one broker under one name: after a mixed workload,
/// presence_drift shows both counts equal to the broker's own `$SYS` count.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct PresenceDriftTests {
    @Test func driftIsZeroAfterAMixedWorkload() throws {
        let broker = "drift-broker"
        let fixture = try ConnPluginFixture(
            label: "drift", options: ["plugin_opt_conn_broker_id \(broker)"],
            extraConfig: SysIngesterProcess.brokerConfig)
        let database = fixture.database
        let ingester = try SysIngesterProcess.start(broker: fixture.broker, database: database, brokerName: broker)
        defer { _ = ingester.stop() }
        var stay: [MQTTWireClient] = []
        for index in 0..<4 { stay.append(try fixture.client("stay-\(index)")) }
        for index in 0..<8 { try fixture.client("cycle-\(index)").disconnect(waitForClose: true) }
        let first = try fixture.client("taken-over")
        stay.append(try fixture.client("taken-over"))
        for index in 0..<2 { try fixture.client("dropped-\(index)", cleanSession: false).dropConnection() }
        _ = first
        var last: [String?] = []
        defer {
            let online = (try? database.query("SELECT client_id FROM client_presence WHERE broker_id = $1 AND state = 'online' ORDER BY 1", [broker])) ?? []
            let open = (try? database.query("SELECT client FROM sessions WHERE broker = $1 AND end_ts IS NULL ORDER BY 1", [broker])) ?? []
            print("online \(online) open \(open)")
        }
        defer { print("presence_drift last seen (plugin_online, ingester_connected, sys_connected, plugin_drift, ingester_drift): \(last)") }
        try waitUntil(timeout: 30, "presence_drift at 0 for both counts") {
            last = try database.query(
                "SELECT plugin_online, ingester_connected, sys_connected, plugin_drift, ingester_drift FROM presence_drift WHERE broker_id = $1",
                [broker]
            ).first ?? []
            return last.count == 5 && last[3] == "0" && last[4] == "0"
        }
        print("presence_drift after the mixed workload (plugin_online, ingester_connected, sys_connected, plugin_drift, ingester_drift): \(last)")
        #expect(last[0] == last[2])
        _ = stay
    }
}

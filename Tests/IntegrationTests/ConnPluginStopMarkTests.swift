import Foundation
import MQTTWire
import Testing

/// A broker stopped for good while its clients' disconnects cannot all be written within the
/// plugin's flush time: the rest wait in its spool until it starts again, and meanwhile presence
/// must show every one of its clients offline from the moment it exited (broker_status.stopped_at),
/// not online and, 3 status intervals later, unknown. Found by `BENCH_MODE=fleet-scale` at 17,000
/// clients per broker: the flush reached its time limit, the stop mark was left for the end and
/// lost with the cut-short connection.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct ConnPluginStopMarkTests {
    private static let clients = 40

    @Test func stopWithDisconnectsLeftInTheSpoolShowsEveryClientOffline() throws {
        let broker = "stop-mark"
        let fixture = try ConnPluginFixture(
            label: "stop_mark",
            options: [
                "plugin_opt_conn_broker_id \(broker)", "plugin_opt_conn_mode async", "plugin_opt_conn_batch_size 1",
            ])
        let database = fixture.database
        let held = try (0..<Self.clients).map { try fixture.client("held-\($0)") }
        try waitUntil(timeout: 30, "every held client online") {
            try database.intScalar(
                "SELECT count(*) FROM client_presence WHERE broker_id = $1 AND state = 'online' AND client_id LIKE 'held-%'",
                [broker]) == Self.clients
        }
        // From now on every history row takes 250 ms: the 40 shutdown disconnects (one per batch)
        // need 10 s, the stop's flush has 5, so some of them stay in the spool. Each statement stays
        // well inside the plugin's 1 s limit: the writer's connection is never given up on its own.
        try database.execute(
            script: """
                CREATE FUNCTION slow_history() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_sleep(0.25); RETURN NEW; END $$;
                CREATE TRIGGER slow_history BEFORE INSERT ON client_conn_events
                    FOR EACH ROW EXECUTE FUNCTION slow_history();
                """)
        fixture.broker.stop(grace: 20)
        _ = held
        let stored = try #require(
            try database.intScalar(
                "SELECT count(*) FROM client_conn_events WHERE event_type = 'disconnect' AND client_id LIKE 'held-%'"))
        #expect(stored < Self.clients, "the test needs disconnects left in the spool; all \(stored) were stored")
        #expect(try database.scalar("SELECT stopped_at IS NOT NULL FROM broker_status WHERE broker_id = $1", [broker]) == "t")
        let states = try database.query(
            "SELECT state, count(*) FROM client_presence WHERE broker_id = $1 AND client_id LIKE 'held-%' GROUP BY state",
            [broker])
        #expect(states == [["offline", String(Self.clients)]], "presence right after the stop: \(states)")
        // The spooled ones arrive at the next start, once each.
        try database.execute(script: "DROP TRIGGER slow_history ON client_conn_events")
        try fixture.broker.restart()
        try waitUntil(timeout: 30, "every shutdown disconnect stored after the restart") {
            try database.intScalar(
                "SELECT count(*) FROM client_conn_events WHERE event_type = 'disconnect' AND client_id LIKE 'held-%'")
                == Self.clients
        }
        #expect(
            try database.intScalar(
                "SELECT count(*) - count(DISTINCT extra->>'event_key') FROM client_conn_events WHERE client_id LIKE 'held-%'")
                == 0)
    }
}

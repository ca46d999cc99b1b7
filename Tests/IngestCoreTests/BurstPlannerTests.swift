import Testing

@testable import IngestCore

@Suite("BurstPlanner")
struct BurstPlannerTests {
    private func log(_ level: String, _ payload: String, at time: Double = 100) -> IngestInput {
        .message(topic: "$SYS/broker/log/\(level)", payload: payload, receivedAtMicros: micros(time))
    }

    private func metric(_ path: String, _ payload: String, at time: Double = 100) -> IngestInput {
        .message(topic: "$SYS/broker/\(path)", payload: payload, receivedAtMicros: micros(time))
    }

    @Test("connect, subscribe, unsubscribe, disconnect")
    func lifecycle() {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan([
            .brokerConnected(atMicros: micros(1)),
            log("N", "10: New client connected from 127.0.0.1:1 as dev1 (p4, c1, k60, u'alice')."),
            log("M/subscribe", "11: dev1 1 a/#"),
            log("M/unsubscribe", "12: dev1 a/#"),
            log("N", "13: Client dev1 [127.0.0.1:1] disconnected."),
        ])
        #expect(
            plan.steps == [
                .open(client: "dev1", username: "alice", atMicros: micros(10)),
                .subscribe(client: "dev1", topic: "a/#", qos: 1, atMicros: micros(11)),
                .unsubscribe(client: "dev1", topic: "a/#", atMicros: micros(12)), .close(client: "dev1", atMicros: micros(13)),
            ])
        #expect(
            plan.clients == [
                ClientTouch(
                    client: "dev1", firstSeenMicros: micros(10), lastSeenMicros: micros(13), setsUsername: true, username: "alice",
                    createIfMissing: true)
            ])
        #expect(plan.events.map(\.action) == [.connected, .subscribe, .unsubscribe, .disconnected])
        #expect(planner.tracker.openSessions.isEmpty)
    }

    @Test("a metric burst keeps one row per metric, the last value, and skips version strings")
    func metricBurst() {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan([
            metric("version", "mosquitto version 2.0.11"), metric("clients/connected", "1", at: 1),
            metric("clients/active", "2", at: 2), metric("uptime", "20 seconds", at: 3),
            .message(topic: "elsewhere", payload: "1", receivedAtMicros: micros(4)),
        ])
        #expect(plan.metrics.map(\.metric) == ["clients/connected", "uptime"])
        #expect(plan.metrics[0].value == 2 && plan.metrics[0].atMicros == micros(2))
        #expect(planner.tracker.dialect == .v20 && planner.parser.dialect == .v20)
    }

    @Test("a metric published again in the same plan is the next round: a row of its own")
    func metricRounds() {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan([
            metric("clients/connected", "1", at: 1), metric("clients/active", "1", at: 1),
            metric("clients/connected", "2", at: 2), metric("clients/active", "3", at: 2),
            metric("clients/connected", "4", at: 3),
        ])
        #expect(plan.metrics.map(\.value) == [1, 3, 4] && plan.metrics.map(\.atMicros) == [1, 2, 3].map(micros))
    }

    @Test("uptime going back closes the sessions opened before our reconnect")
    func restartByUptime() {
        var planner = BurstPlanner(tracker: SessionTracker())
        _ = planner.plan([
            .brokerConnected(atMicros: micros(0)), metric("uptime", "100 seconds", at: 100),
            log("N", "100: New client connected from 127.0.0.1:1 as old (p4, c1, k60)."),
        ])
        // The broker's end broke our connection; the new broker process has no session for us.
        let plan = planner.plan([
            .brokerDisconnected(atMicros: micros(105)), .brokerConnected(atMicros: micros(110)),
            log("N", "111: New client connected from 127.0.0.1:2 as new (p4, c1, k60)."),
            metric("uptime", "3 seconds", at: 112),
        ])
        // The gap closes the old sessions when the connection was lost; the restart rule (at the
        // new process's start) then finds only "new", opened since.
        #expect(
            plan.steps == [
                .closeAll(except: [], atMicros: micros(105)), .open(client: "new", username: nil, atMicros: micros(111)),
                .closeAll(except: ["new"], atMicros: micros(109)),
            ])
        #expect(plan.gaps.map(\.kind) == [.sessionNotResumed])
        #expect(Set(planner.tracker.openSessions.keys) == ["new"])
    }

    @Test("a start time later than the stored one means a restart while the ingester was down")
    func restartWhileIngesterDown() {
        var planner = BurstPlanner(tracker: SessionTracker(openClients: ["ghost"], lastUptime: (value: 50, atMicros: micros(1000))))
        // The broker started at 950; now it says it started at 1900 (uptime 100 at 2000).
        let plan = planner.plan([.brokerConnected(atMicros: micros(1999)), metric("uptime", "100 seconds", at: 2000)])
        #expect(plan.steps == [.closeAll(except: [], atMicros: micros(1900))])
        var steady = BurstPlanner(tracker: SessionTracker(openClients: ["live"], lastUptime: (value: 50, atMicros: micros(1000))))
        #expect(steady.plan([.brokerConnected(atMicros: micros(1999)), metric("uptime", "1051 seconds", at: 2001)]).steps.isEmpty)
    }

    @Test("the ingester's own lines are events but open no session")
    func ownClient() {
        var planner = BurstPlanner(tracker: SessionTracker(), ownClientID: "sys-ingester-0badf00d")
        let plan = planner.plan([
            .brokerConnected(atMicros: micros(1), sessionResumed: true),
            log("N", "10: New client connected from 127.0.0.1:1 as sys-ingester-0badf00d (p4, c0, k60)."),
            log("M/subscribe", "10: sys-ingester-0badf00d 2 $SYS/broker/#"),
        ])
        #expect(plan.events.count == 2 && plan.steps.isEmpty && plan.clients.isEmpty)
        #expect(planner.tracker.openSessions.isEmpty)
    }

    @Test("starting and terminating lines close sessions")
    func lifecycleLines() {
        var planner = BurstPlanner(tracker: SessionTracker(openClients: ["a"]))
        let start = planner.plan([
            .brokerConnected(atMicros: micros(1)), log("I", "7: mosquitto version 2.1.2 running"),
        ])
        #expect(start.steps == [.closeAll(except: [], atMicros: micros(7))])
        let stop = planner.plan([
            log("N", "8: New client connected from 127.0.0.1:2 as b (p4, c1, k60)."),
            log("I", "9: mosquitto version 2.1.2 terminating"),
        ])
        #expect(stop.steps.last == .closeAll(except: [], atMicros: micros(9)))
        #expect(planner.tracker.openSessions.isEmpty)
    }

    @Test("a disconnect before CONNECT does not create a client")
    func preConnectDisconnect() {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan([log("N", "5: Client 127.0.0.1 [127.0.0.1:9] disconnected: protocol error.")])
        #expect(plan.clients.first?.createIfMissing == false)
        #expect(plan.events.count == 1)
    }

    @Test("a connect without username replaces the stored username with none")
    func usernameRules() {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan([
            log("N", "1: New client connected from 127.0.0.1:1 as d (p4, c1, k60, u'u')."),
            log("N", "2: Client d [127.0.0.1:1] disconnected."),
            log("N", "3: New client connected from 127.0.0.1:1 as d (p4, c1, k60)."),
            log("M/subscribe", "4: d 0 t"),
        ])
        #expect(
            plan.clients == [
                ClientTouch(
                    client: "d", firstSeenMicros: micros(1), lastSeenMicros: micros(4), setsUsername: true, username: nil, createIfMissing: true)
            ])
    }

    @Test("an uptime is whole microseconds; an absurd one is held in range instead of trapping")
    func uptimeInMicroseconds() {
        #expect(SessionTracker.microseconds(ofSeconds: 100) == 100_000_000)
        #expect(SessionTracker.microseconds(ofSeconds: 0.0000015) == 2)
        #expect(SessionTracker.microseconds(ofSeconds: 1e300) == 1 << 62)
        #expect(SessionTracker.microseconds(ofSeconds: -1e300) == -(1 << 62))
        var planner = BurstPlanner(tracker: SessionTracker())
        _ = planner.plan([.brokerConnected(atMicros: micros(1)), metric("uptime", "1e300 seconds", at: 2)])
        #expect(planner.tracker.brokerStartedAtMicros == micros(2) - (1 << 62))
    }
}

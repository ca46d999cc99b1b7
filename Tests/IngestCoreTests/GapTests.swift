import Testing

@testable import IngestCore

@Suite("Gaps in what a broker told the ingester")
struct GapTests {
    private func connect(_ client: String, at time: Double) -> IngestInput {
        .message(
            topic: "$SYS/broker/log/N", payload: "\(Int(time)): New client connected from 127.0.0.1:1 as \(client) (p4, c1, k60).",
            receivedAtMicros: micros(time))
    }

    @Test("a blip shorter than the log expiry with the session resumed is no gap; sessions stay open")
    func shortBlipWithSession() {
        var planner = BurstPlanner(tracker: SessionTracker())
        _ = planner.plan([.brokerConnected(atMicros: micros(100)), connect("dev1", at: 101)])
        let plan = planner.plan([
            .brokerDisconnected(atMicros: micros(110)), .brokerConnected(atMicros: micros(125), sessionResumed: true),
        ])
        #expect(plan.gaps.isEmpty && plan.steps.isEmpty)
        #expect(planner.tracker.isOpen("dev1"))
    }

    @Test("a blip longer than the 20 s expiry is a gap; the sessions open before it are closed at its start")
    func longerThanExpiry() {
        var planner = BurstPlanner(tracker: SessionTracker())
        _ = planner.plan([.brokerConnected(atMicros: micros(100)), connect("dev1", at: 101), connect("dev2", at: 102)])
        let plan = planner.plan([
            .brokerDisconnected(atMicros: micros(110)), .brokerConnected(atMicros: micros(131), sessionResumed: true),
        ])
        #expect(plan.gaps == [IngestGap(kind: .longerThanLogExpiry, startedAtMicros: micros(110), endedAtMicros: micros(131), sessionsClosed: 2)])
        #expect(plan.steps == [.closeAll(except: [], atMicros: micros(110))])
        #expect(!planner.tracker.isOpen("dev1") && !planner.tracker.isOpen("dev2"))
    }

    @Test("no session at the broker: every line since is lost, however short the gap")
    func sessionNotResumed() {
        var planner = BurstPlanner(tracker: SessionTracker())
        _ = planner.plan([.brokerConnected(atMicros: micros(100))])
        let plan = planner.plan([.brokerDisconnected(atMicros: micros(110)), .brokerConnected(atMicros: micros(112), sessionResumed: false)])
        #expect(plan.gaps == [IngestGap(kind: .sessionNotResumed, startedAtMicros: micros(110), endedAtMicros: micros(112))])
        #expect(plan.steps.isEmpty, "no session was open")
    }

    @Test("a new process measures from when the previous one last heard the broker; a first start ever is no gap")
    func acrossProcesses() {
        var restarted = BurstPlanner(tracker: SessionTracker(openClients: ["dev1"]), lastHeardMicros: micros(1000))
        let soon = restarted.plan([.brokerConnected(atMicros: micros(1005), sessionResumed: true)])
        #expect(soon.gaps.isEmpty)
        var late = BurstPlanner(tracker: SessionTracker(openClients: ["dev1"]), lastHeardMicros: micros(1000))
        let plan = late.plan([.brokerConnected(atMicros: micros(1030), sessionResumed: true)])
        #expect(plan.gaps.map(\.kind) == [.longerThanLogExpiry] && plan.gaps.first?.sessionsClosed == 1)
        var first = BurstPlanner(tracker: SessionTracker())
        let firstEver = first.plan([.brokerConnected(atMicros: micros(5), sessionResumed: false)])
        #expect(firstEver.gaps.isEmpty)
    }

    @Test("messages move the last-heard time, so a long connection followed by a short blip is no gap")
    func messagesCount() {
        var planner = BurstPlanner(tracker: SessionTracker(), lastHeardMicros: micros(0))
        _ = planner.plan([.brokerConnected(atMicros: micros(1), sessionResumed: false)])
        _ = planner.plan([connect("dev1", at: 500)])
        #expect(planner.gaps.lastHeardMicros == micros(500))
        let blip = planner.plan([.brokerDisconnected(atMicros: micros(600)), .brokerConnected(atMicros: micros(605), sessionResumed: true)])
        #expect(blip.gaps.isEmpty)
    }

    @Test("silence opens a broker_silent gap and publishing again ends it")
    func silence() {
        var planner = BurstPlanner(tracker: SessionTracker())
        let plan = planner.plan([.brokerSilent(sinceMicros: micros(50), expectedEvery: .seconds(10)), .brokerPublishing(atMicros: micros(90))])
        #expect(
            plan.gaps == [
                IngestGap(kind: .brokerSilent, startedAtMicros: micros(50), endedAtMicros: nil),
                IngestGap(kind: .brokerSilent, startedAtMicros: micros(90), endedAtMicros: micros(90)),
            ])
    }
}

@Suite("SysSilence")
struct SysSilenceTests {
    @Test("learns the round interval from the uptime values and says once when rounds stop")
    func watches() {
        var watch = SysSilence(connectedAtMicros: 0)
        let rounds = [(100.0, 0.1), (102, 2.1), (106, 6.1)].map { watch.heard(uptime: $0.0, atMicros: micros($0.1)) }
        #expect(rounds == [false, false, false])
        #expect(watch.expectedInterval == .seconds(2), "a skipped round does not widen the interval")
        let early = watch.becameSilent(atMicros: micros(13.1))
        #expect(early == nil, "3 rounds and a second of slack: 7 s")
        let silent = watch.becameSilent(atMicros: micros(13.1) + 1)
        #expect(silent == micros(6.1))
        let again = watch.becameSilent(atMicros: micros(20))
        #expect(again == nil, "once per silence")
        let resumed = watch.heard(uptime: 140, atMicros: micros(40))
        #expect(resumed, "the round after a silence ends it")
        let next = watch.heard(uptime: 142, atMicros: micros(42))
        #expect(!next)
    }

    @Test("a broker that never publishes is silent from the subscription on, by mosquitto's default interval")
    func neverPublishes() {
        var watch = SysSilence(connectedAtMicros: micros(100))
        let early = watch.becameSilent(atMicros: micros(131))
        let late = watch.becameSilent(atMicros: micros(131) + 1)
        #expect(early == nil && late == micros(100))
    }
}

@Suite("ReplayFilter")
struct ReplayFilterTests {
    @Test("a resumed session drops queued metric rounds until the first retained message, never log lines")
    func resumed() {
        var filter = ReplayFilter(sessionResumed: true)
        let kept = [
            ("$SYS/broker/uptime", false), ("$SYS/broker/log/N", false), ("$SYS/broker/clients/total", false),
            ("$SYS/broker/uptime", true), ("$SYS/broker/clients/total", false),
        ].map { filter.keeps(topic: $0.0, retained: $0.1) }
        #expect(kept == [false, true, false, true, true])
    }

    @Test("a new session has nothing queued: everything is kept")
    func fresh() {
        var filter = ReplayFilter(sessionResumed: false)
        let kept = filter.keeps(topic: "$SYS/broker/uptime", retained: false)
        #expect(kept)
    }
}

@Suite("A broker whose process is gone")
struct BrokerStoppedTests {
    @Test("its open sessions end when our connection to it did")
    func closesAtTheLoss() {
        var planner = BurstPlanner(tracker: SessionTracker(openClients: ["dev1", "dev2"]))
        let plan = planner.plan([.brokerConnected(atMicros: micros(1), sessionResumed: true), .brokerDisconnected(atMicros: micros(50)), .brokerStopped(atMicros: micros(50))])
        #expect(plan.steps == [.closeAll(except: [], atMicros: micros(50))])
        #expect(planner.tracker.openSessions.isEmpty)
    }
}

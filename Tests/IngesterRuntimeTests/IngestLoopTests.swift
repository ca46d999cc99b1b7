import IngestCore
import IngesterRuntime
import Storage
import Testing

/// The ingest loop over a fake database: what is committed, in which order, after which failures.
@Suite("IngestLoop")
struct IngestLoopTests {
    @Test("one broker's inputs are committed in arrival order, each once, across bursts")
    func orderAcrossBursts() throws {
        let queue = IngestQueue(limit: 1000)
        let database = FakeIngestDatabase()
        let clients = (1...10).map { "c\($0)" }
        for (offset, client) in clients.enumerated() {
            queue.push(BrokerInput(broker: 0, connectLine(client, at: 100 + Double(offset))))
        }
        // At most 3 inputs per transaction: the ten lines take several bursts.
        let loop = try RunningLoop.start(queue: queue, database: database, maximumBurst: 3)
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.events) }.count >= 10 })
        loop.stop()
        #expect(database.eventClients(of: "a") == clients)
        #expect(database.record.withLock { $0.bursts.count } >= 4)
        // Each connect's session opens in the same transaction as its event.
        for plan in database.plans(of: "a") {
            let opened = plan.steps.compactMap { step -> String? in
                if case .open(let client, _, _) = step { return client }
                return nil
            }
            #expect(opened == plan.events.compactMap(\.client))
        }
    }

    @Test("a burst of two brokers is split per broker, each in its own order, brokers in order of first arrival")
    func orderPerBroker() throws {
        let queue = IngestQueue(limit: 1000)
        let database = FakeIngestDatabase()
        queue.push(BrokerInput(broker: 1, connectLine("b1", at: 10)))
        queue.push(BrokerInput(broker: 0, connectLine("a1", at: 11)))
        queue.push(BrokerInput(broker: 1, connectLine("b2", at: 12)))
        queue.push(BrokerInput(broker: 0, connectLine("a2", at: 13)))
        let loop = try RunningLoop.start(queue: queue, database: database, brokers: ["a", "b"])
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.events) }.count >= 4 })
        loop.stop()
        let bursts = database.record.withLock { $0.bursts }
        #expect(bursts.count == 1)
        #expect(bursts.first?.map(\.broker) == ["b", "a"])
        #expect(database.eventClients(of: "a") == ["a1", "a2"])
        #expect(database.eventClients(of: "b") == ["b1", "b2"])
    }

    @Test("while the database is away inputs wait in the queue; after it returns each is committed once, in order")
    func databaseAway() throws {
        let queue = IngestQueue(limit: 1000)
        let database = FakeIngestDatabase()
        let observer = RecordingObserver()
        // Away at start (one refused connect), then the connection is lost during the first write.
        database.record.withLock {
            $0.failingConnects = 1
            $0.failingWrites = 1
        }
        let clients = ["c1", "c2", "c3", "c4"]
        for (offset, client) in clients.enumerated() {
            queue.push(BrokerInput(broker: 0, connectLine(client, at: 200 + Double(offset))))
        }
        let loop = try RunningLoop.start(queue: queue, database: database, maximumBurst: 2, observer: observer)
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.events) }.count >= 4 })
        loop.stop()
        #expect(database.eventClients(of: "a") == clients)
        let record = database.record.withLock { $0 }
        #expect(record.connectCalls >= 3, "refused, connected, reconnected after the lost write")
        #expect(record.failingConnects == 0 && record.failingWrites == 0)
        #expect(observer.heard.withLock { $0.databaseUp.first } == false)
        #expect(observer.heard.withLock { $0.lost } == 0)
        #expect(record.closed)
    }

    @Test("a broker away leaves a gap: not resumed, or resumed after the log lines' expiry")
    func brokerAwayGaps() throws {
        let queue = IngestQueue(limit: 1000)
        let database = FakeIngestDatabase()
        let inputs: [IngestInput] = [
            .brokerConnected(atMicros: micros(1000), sessionResumed: false),
            metric("uptime", "50 seconds", at: 1001),
            // Away 98 s with the session kept: lines older than 20 s may have expired.
            .brokerDisconnected(atMicros: micros(1002)),
            .brokerConnected(atMicros: micros(1100), sessionResumed: true),
            // Away 3 s with the session kept: nothing lost, no gap.
            .brokerDisconnected(atMicros: micros(1101)),
            .brokerConnected(atMicros: micros(1104), sessionResumed: true),
            // Away 6 s without the session: everything of the gap is gone.
            .brokerDisconnected(atMicros: micros(1105)),
            .brokerConnected(atMicros: micros(1111), sessionResumed: false),
        ]
        for input in inputs { queue.push(BrokerInput(broker: 0, input)) }
        let loop = try RunningLoop.start(queue: queue, database: database)
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.gaps) }.count >= 2 })
        loop.stop()
        let gaps = database.plans(of: "a").flatMap(\.gaps)
        #expect(
            gaps.map { "\($0.kind.rawValue) \($0.startedAtMicros / 1_000_000)-\(($0.endedAtMicros ?? 0) / 1_000_000)" } == [
                "longer_than_log_expiry 1002-1100", "session_not_resumed 1105-1111",
            ])
    }

    @Test(
        "a clean stop marks the brokers heard; the next run measures the gap while the ingester was away from there",
        arguments: [
            (awaySeconds: 60.0, resumed: true, gap: "longer_than_log_expiry"),
            (awaySeconds: 5.0, resumed: true, gap: nil),
            (awaySeconds: 5.0, resumed: false, gap: "session_not_resumed"),
        ] as [(awaySeconds: Double, resumed: Bool, gap: String?)])
    func ingesterAwayGap(awaySeconds: Double, resumed: Bool, gap: String?) throws {
        let database = FakeIngestDatabase()
        // The first run hears the broker, then stops cleanly.
        let first = IngestQueue(limit: 100)
        first.push(BrokerInput(broker: 0, .brokerConnected(atMicros: micros(1000), sessionResumed: false)))
        first.push(BrokerInput(broker: 0, connectLine("c1", at: 1001)))
        let firstLoop = try RunningLoop.start(queue: first, database: database)
        #expect(database.waitUntil { !$0.bursts.isEmpty })
        firstLoop.stop()
        let marked = database.record.withLock { $0.lastHeard["a"] }
        #expect(database.record.withLock { $0.touches } == [["a"]])
        let stoppedAt = try #require(marked)
        // The next run connects `awaySeconds` later.
        let second = IngestQueue(limit: 100)
        let reconnectedAt = stoppedAt + micros(awaySeconds)
        second.push(BrokerInput(broker: 0, .brokerConnected(atMicros: reconnectedAt, sessionResumed: resumed)))
        second.push(BrokerInput(broker: 0, connectLine("c2", at: Double(reconnectedAt) / 1e6 + 1)))
        let secondLoop = try RunningLoop.start(queue: second, database: database)
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.events) }.count >= 2 })
        secondLoop.stop()
        let gaps = database.plans(of: "a").flatMap(\.gaps)
        #expect(gaps.map(\.kind.rawValue) == (gap.map { [$0] } ?? []))
        if let recorded = gaps.first {
            #expect(recorded.startedAtMicros == stoppedAt)
            #expect(recorded.endedAtMicros == reconnectedAt)
        }
    }

    @Test("stopping with the database away counts what is queued as lost and writes nothing")
    func stopWhileAway() throws {
        let queue = IngestQueue(limit: 100)
        let database = FakeIngestDatabase()
        let observer = RecordingObserver()
        database.record.withLock { $0.failingConnects = Int.max }
        for client in ["c1", "c2", "c3"] { queue.push(BrokerInput(broker: 0, connectLine(client, at: 10))) }
        let loop = try RunningLoop.start(queue: queue, database: database, observer: observer)
        #expect(database.waitUntil { $0.connectCalls >= 1 })
        loop.stop()
        #expect(database.record.withLock { $0.bursts.isEmpty })
        #expect(observer.heard.withLock { $0.lost } == 3)
    }
}

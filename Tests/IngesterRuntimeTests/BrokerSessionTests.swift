import Foundation
import IngestCore
import IngesterRuntime
import Locking
import Testing

/// A broker session over a fake connection: the tests report libmosquitto's events to the
/// session themselves, and check what reaches the queue, the connection and the database.
@Suite("BrokerSession")
struct BrokerSessionTests {
    let queue = IngestQueue(limit: 1000)
    let connection = FakeBrokerConnection()
    let observer = RecordingObserver()
    let session: BrokerSession

    init() {
        session = BrokerSession(
            settings: brokerSettings(), index: 0, queue: queue, logger: quiet, observer: observer,
            connection: connection)
    }

    private func queued() -> [IngestInput] { queue.drain(maximum: .max).map(\.input) }

    private func arrive(_ topic: String, _ payload: String, retained: Bool = false, atMicros time: Int64 = 0) {
        session.arrived(topic: topic, retained: retained, receivedAtMicros: time) { payload }
    }

    private let lost = BrokerFailure(description: "The connection was lost.", isTLSFailure: false)

    @Test("every connect is marked in the queue before its messages and subscribes again; a reconnect is counted")
    func reconnects() throws {
        session.connected(sessionPresent: false)
        arrive("$SYS/broker/log/N", "1: line")
        session.disconnected(lost)
        session.connected(sessionPresent: true)
        #expect(
            queued().map(\.kind) == [
                "connected resumed=false", "message $SYS/broker/log/N", "disconnected", "connected resumed=true",
            ])
        let subscriptions = connection.record.withLock { $0.subscriptions }
        #expect(subscriptions.map(\.topic) == ["$SYS/broker/#", "$SYS/broker/#"])
        #expect(subscriptions.map(\.qos) == [2, 2])
        #expect(observer.heard.withLock { $0.connections } == [true, false, true])
        #expect(observer.heard.withLock { $0.reconnects } == 1)
    }

    @Test("a refused connection or a failed attempt is no connection: nothing is queued")
    func refusedAttempts() {
        session.connecting()
        session.refused(code: 5, reason: "Connection Refused: not authorised.")
        session.disconnected(lost)
        #expect(queued().isEmpty)
        #expect(observer.heard.withLock { $0.connections } == [false])
        #expect(connection.record.withLock { $0.subscriptions.isEmpty })
    }

    @Test("the SUBACK of an earlier connection does not make the new one ready")
    func staleSuback() throws {
        session.connected(sessionPresent: false)
        let first = try #require(connection.lastMid)
        session.disconnected(lost)
        session.connected(sessionPresent: true)
        let second = try #require(connection.lastMid)
        session.subscribed(mid: first, grantedQoS: 2)
        session.wakeAndWatch(nowMicros: Clocks.wallMicroseconds())
        #expect(connection.record.withLock { $0.published }.isEmpty, "woken before its subscription was acknowledged")
        session.subscribed(mid: second, grantedQoS: 2)
        session.wakeAndWatch(nowMicros: Clocks.wallMicroseconds())
        #expect(connection.record.withLock { $0.published } == [BrokerSession.wakeTopic])
    }

    @Test("a refused subscription leaves the session not ready")
    func refusedSubscription() throws {
        session.connected(sessionPresent: false)
        session.subscribed(mid: try #require(connection.lastMid), grantedQoS: 0x80)
        session.wakeAndWatch(nowMicros: Clocks.wallMicroseconds())
        #expect(connection.record.withLock { $0.published }.isEmpty)
    }

    @Test("after a resumed session, the replayed metric rounds are dropped until the first retained message; log lines are kept")
    func replayFilter() throws {
        session.connected(sessionPresent: false)
        arrive("$SYS/broker/messages/received", "10", atMicros: micros(100))
        session.disconnected(lost)
        session.connected(sessionPresent: true)
        // What the broker queued while we were away comes first: the same round again, and a log line.
        arrive("$SYS/broker/messages/received", "10", atMicros: micros(130))
        arrive("$SYS/broker/log/N", "120: New client connected from 127.0.0.1:1 as c1 (p4, c1, k60).", atMicros: micros(130))
        // Then the retained copies our SUBSCRIBE asked for: the replay is over.
        arrive("$SYS/broker/messages/received", "12", retained: true, atMicros: micros(131))
        arrive("$SYS/broker/messages/received", "15", atMicros: micros(140))
        let inputs = queued()
        #expect(
            inputs.compactMap { input -> String? in
                guard case .message(let topic, let payload, _) = input else { return nil }
                return "\(topic.dropFirst("$SYS/broker/".count))=\(payload.prefix(3))"
            } == ["messages/received=10", "log/N=120", "messages/received=12", "messages/received=15"])

        // Written through the loop: the round of 10 is stored once, with the time it first came.
        let database = FakeIngestDatabase()
        for input in inputs { queue.push(BrokerInput(broker: 0, input)) }
        let loop = try RunningLoop.start(queue: queue, database: database)
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.metrics) }.count >= 3 })
        loop.stop()
        let stored = database.plans(of: "a").flatMap(\.metrics).filter { $0.metric.contains("messages/received") }
        #expect(stored.map(\.value) == [10, 12, 15])
        #expect(stored.map(\.atMicros) == [100, 131, 140].map(micros))
        #expect(database.eventClients(of: "a") == ["c1"])
    }

    @Test("without a resumed session nothing was queued for us: no metric is dropped")
    func noReplayWithoutSession() {
        session.connected(sessionPresent: false)
        arrive("$SYS/broker/messages/received", "10", atMicros: micros(100))
        session.disconnected(lost)
        session.connected(sessionPresent: false)
        arrive("$SYS/broker/messages/received", "11", atMicros: micros(130))
        let payloads = queued().compactMap { input -> String? in
            guard case .message(_, let payload, _) = input else { return nil }
            return payload
        }
        #expect(payloads == ["10", "11"])
    }

    @Test("a ready broker that stops publishing $SYS is reported silent once, and publishing again when its uptime returns")
    func silence() throws {
        session.connected(sessionPresent: false)
        session.subscribed(mid: try #require(connection.lastMid), grantedQoS: 2)
        let readyAt = Clocks.wallMicroseconds()
        _ = queued()
        // Within three rounds (10 s each until the broker's own interval is known) plus a second: not silent.
        session.wakeAndWatch(nowMicros: readyAt + micros(5))
        #expect(queued().isEmpty)
        session.wakeAndWatch(nowMicros: readyAt + micros(40))
        session.wakeAndWatch(nowMicros: readyAt + micros(50))
        let silent = queued()
        #expect(silent.map(\.kind) == ["silent"])
        if case .brokerSilent(let since, let every) = silent.first {
            #expect(since >= readyAt - micros(1) && since <= readyAt)
            #expect(every == .seconds(10))
        }
        // Each wake-up was published, silent or not.
        #expect(connection.record.withLock { $0.published.count } == 3)
        arrive(SysSilence.watchedTopic, "500 seconds", atMicros: readyAt + micros(55))
        let again = queued()
        #expect(again.map(\.kind) == ["publishing", "message \(SysSilence.watchedTopic)"])

        // Through the loop: one broker_silent gap, opened and then ended.
        let database = FakeIngestDatabase()
        queue.push(BrokerInput(broker: 0, .brokerConnected(atMicros: readyAt - micros(1), sessionResumed: false)))
        for input in silent + again { queue.push(BrokerInput(broker: 0, input)) }
        let loop = try RunningLoop.start(queue: queue, database: database)
        #expect(database.waitUntil { $0.bursts.flatMap { $0.flatMap(\.plan.gaps) }.count >= 2 })
        loop.stop()
        let gaps = database.plans(of: "a").flatMap(\.gaps)
        #expect(gaps.map(\.kind) == [.brokerSilent, .brokerSilent])
        #expect(gaps.first?.endedAtMicros == nil)
        #expect(gaps.last?.endedAtMicros == readyAt + micros(55))
    }

    @Test("a lost broker whose port refuses connections is reported stopped, once; one that does not is not")
    func lostBrokerProbe() throws {
        session.connected(sessionPresent: false)
        session.subscribed(mid: try #require(connection.lastMid), grantedQoS: 2)
        session.disconnected(lost)
        let lostAt = try #require(
            queued().compactMap { input -> Int64? in
                if case .brokerDisconnected(let at) = input { return at }
                return nil
            }.first)
        connection.record.withLock { $0.refuses = true }
        session.wakeAndWatch(nowMicros: lostAt + micros(0.5))
        session.wakeAndWatch(nowMicros: lostAt + micros(1))
        #expect(queued() == [.brokerStopped(atMicros: lostAt)])
        #expect(connection.record.withLock { $0.probes } == 1)
        #expect(connection.record.withLock { $0.published }.isEmpty, "not ready: no wake-ups")
    }

    @Test("a broker that still listens after the connection dropped is not reported stopped")
    func lostBrokerStillListening() throws {
        session.connected(sessionPresent: false)
        session.subscribed(mid: try #require(connection.lastMid), grantedQoS: 2)
        session.disconnected(lost)
        _ = queued()
        session.wakeAndWatch(nowMicros: Clocks.wallMicroseconds())
        #expect(queued().isEmpty)
        #expect(connection.record.withLock { $0.probes } == 1)
    }

    @Test("stopping disconnects, and the end of the connection then is no state change: nothing is queued")
    func stopping() throws {
        try session.start()
        session.connected(sessionPresent: false)
        _ = queued()
        session.beginStop()
        session.disconnected(lost)
        #expect(queued().isEmpty)
        #expect(connection.record.withLock { $0.disconnects } == 1)
        #expect(connection.record.withLock { $0.started })
        #expect(session.isStopping)
    }
}

import IngestCore
import IngesterRuntime
import Locking
import ServiceLifecycle
import Storage
import Testing

/// The runtime's services in a `ServiceGroup`, over fakes: what a graceful shutdown (SIGTERM in
/// the program) does, in which order.
@Suite("IngesterServices")
struct IngesterServicesTests {
    @Test("a graceful shutdown ends the ingest loop first: the queue is written and the brokers marked heard, then every broker disconnects")
    func shutdownOrder() async throws {
        let queue = IngestQueue(limit: 100)
        let database = FakeIngestDatabase()
        // What the database had seen when the broker was disconnected.
        let atDisconnect = ConditionLocked<(closed: Bool, touches: [[String]], events: Int)?>(nil)
        let connection = FakeBrokerConnection(onDisconnect: {
            let seen = database.record.withLock { record in
                (closed: record.closed, touches: record.touches,
                 events: record.bursts.flatMap { $0.flatMap(\.plan.events) }.count)
            }
            atDisconnect.withLock { $0 = seen }
        })
        let session = BrokerSession(
            settings: brokerSettings(), index: 0, queue: queue, logger: quiet, connection: connection)
        let ingest = IngestService(queue: queue, interrupt: try PostgresInterrupt(), logger: quiet) {
            IngestLoop(
                queue: queue, writer: database, brokers: ["a"], clientIDs: ["sys-ingester-a"], logger: quiet,
                window: .milliseconds(5), maximumBurst: 100)
        }
        // The order of the program: brokers before the loop, so the loop is stopped first.
        let group = ServiceGroup(services: [BrokerService(sessions: [session]), ingest], logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Waits off Swift concurrency's threads, which the group needs meanwhile. The two
            // services start in no fixed order: the loop may connect before the broker starts.
            await PosixThread.run {
                _ = database.waitUntil { $0.isConnected }
                _ = connection.waitUntilStarted()
            }
            #expect(connection.record.withLock { $0.started })
            session.connected(sessionPresent: false)
            session.arrived(topic: "$SYS/broker/log/N", retained: false, receivedAtMicros: 100_000_000) {
                "100: New client connected from 127.0.0.1:1 as c1 (p4, c1, k60)."
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(database.eventClients(of: "a") == ["c1"])
        let seen = try #require(atDisconnect.withLock { $0 }, "the broker was never disconnected")
        #expect(seen.events == 1, "the queued line was not written before the broker disconnected")
        #expect(seen.touches == [["a"]], "the broker was not marked heard before it disconnected")
        #expect(seen.closed, "the loop had not ended when the broker disconnected")
        #expect(session.isStopping)
    }
}

@testable import ConnRecorder
import Foundation
import Logging
import Testing
import Locking

/// The writer's ordering, spool and suspension rules, against a fake database (no PostgreSQL):
/// one FIFO through outages, exactly once, and a hung database that holds the broker's thread
/// at most once.
@Suite struct WriterTests {
    /// A writer on a fake store with a spool in a fresh directory.
    final class Harness {
        let store: FakeEventStore
        let writer: ConnWriter
        let spoolDirectory: String
        private var nextClient = 0

        init(mode: ConnPluginOptions.Mode = .sync, timeoutMilliseconds: Int = 200, up: Bool = true) throws {
            spoolDirectory = NSTemporaryDirectory() + "writer-tests-\(UUID().uuidString)"
            var options = ConnPluginOptions(dsn: "host=fake", brokerID: "unit", spoolDirectory: spoolDirectory)
            options.mode = mode
            options.timeoutMilliseconds = timeoutMilliseconds
            store = FakeEventStore(timeout: .milliseconds(timeoutMilliseconds))
            store.update { $0.up = up }
            let spool = try EventSpool(directory: spoolDirectory, maxBytes: options.spoolMaxBytes)
            writer = ConnWriter(options: options, spool: spool, logger: Logger(label: "writer-tests"), store: store)
            try writer.start()
        }

        deinit {
            writer.stop(flushTimeout: .seconds(1))
            try? FileManager.default.removeItem(atPath: spoolDirectory)
        }

        /// A connect or disconnect of a fresh client id per call pair.
        func event(_ kind: ConnEvent.Kind, _ client: String) -> ConnEvent {
            ConnEvent(
                kind: kind, timestampMicros: Clocks.wallMicroseconds(), clientID: client, username: nil, peer: nil,
                protocol: "MQTT/5.0", reasonCode: kind == .disconnect ? 0 : nil, cause: kind == .disconnect ? .disconnect : nil,
                connection: ConnectionDetails(connectionSequence: 1, listenerPort: nil, keepAliveSeconds: nil, cleanStart: nil),
                origin: EventOrigin(brokerID: "unit", bootID: writer.bootID, sequence: 0))
        }

        /// Enqueues a connect and a disconnect of `count` clients named `prefix-n`; returns how
        /// many of the calls reported a commit.
        @discardableResult
        func cycle(_ prefix: String, count: Int, wait: Bool = true) -> Int {
            var committed = 0
            for index in 0..<count {
                for kind in [ConnEvent.Kind.connect, .disconnect]
                where writer.enqueue(event(kind, "\(prefix)-\(index)"), waitForCommit: wait) {
                    committed += 1
                }
            }
            return committed
        }

        func waitUntil(_ what: String, timeout: Double = 10, _ condition: () -> Bool) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !condition() {
                guard Date() < deadline else { throw HarnessError(what: what) }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }

        func waitForDatabaseConnected() throws {
            try waitUntil("the writer connected") { writer.currentStatus().databaseConnected }
        }
    }

    struct HarnessError: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// Committed events are in queue order (increasing sequence), each once.
    private func expectOneFIFO(_ committed: [ConnEvent], count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let sequences = committed.map(\.origin.sequence)
        #expect(sequences == sequences.sorted(), "events committed out of order", sourceLocation: sourceLocation)
        #expect(Set(sequences).count == committed.count, "an event committed twice", sourceLocation: sourceLocation)
        #expect(committed.count == count, sourceLocation: sourceLocation)
    }

    @Test func syncEventsAreCommittedBeforeEnqueueReturns() throws {
        let harness = try Harness()
        try harness.waitForDatabaseConnected()
        let committed = harness.cycle("sync", count: 20)
        #expect(committed == 40)
        expectOneFIFO(harness.store.committed, count: 40)
    }

    @Test func outageSpoolsAndReplaysInOneFIFOExactlyOnce() throws {
        let harness = try Harness()
        try harness.waitForDatabaseConnected()
        harness.cycle("before", count: 5)
        harness.store.update { $0.up = false }
        harness.cycle("during", count: 20)
        try harness.waitUntil("events spooled") { harness.writer.currentStatus().eventsSpooled >= 40 }
        harness.store.update { $0.up = true }
        harness.cycle("after", count: 5)
        try harness.waitUntil("every event committed") { harness.store.committed.count == 60 }
        let committed = harness.store.committed
        expectOneFIFO(committed, count: 60)
        #expect(committed.map(\.clientID).prefix(10).allSatisfy { $0.hasPrefix("before-") })
        #expect(committed.map(\.clientID).dropFirst(10).prefix(40).allSatisfy { $0.hasPrefix("during-") })
        #expect(committed.dropFirst(10).prefix(40).allSatisfy { $0.origin.replayed == true })
        #expect(harness.writer.currentStatus().eventsDropped == 0)
    }

    @Test func hungDatabaseHoldsTheBrokersThreadOnceThenResumesWaiting() throws {
        let harness = try Harness(timeoutMilliseconds: 200)
        try harness.waitForDatabaseConnected()
        try harness.waitUntil("the spare connection ready") { harness.writer.shared.withLock { $0.spare != nil } }
        harness.store.update { $0.hanging = true }
        #expect(harness.cycle("hung", count: 10) == 0)
        let whileHung = harness.writer.currentStatus()
        // One wait ended at timeout_ms; every later event was queued without waiting.
        #expect(whileHung.brokerWaitTimeouts == 1)
        #expect(whileHung.brokerWaits == 1)
        harness.store.update { $0.hanging = false }
        try harness.waitUntil("the backlog written") { harness.store.committed.count == 20 }
        expectOneFIFO(harness.store.committed, count: 20)
        // Caught up: the broker's thread waits for commits again.
        try harness.waitUntil("the writer reconnected") { harness.writer.currentStatus().eventsQueued == 0 }
        try harness.waitUntil("sync commits again") { harness.cycle("again", count: 1) == 2 }
    }

    @Test func asyncEventsAreQueuedAndWrittenInOrder() throws {
        let harness = try Harness(mode: .async)
        try harness.waitForDatabaseConnected()
        #expect(harness.cycle("async", count: 300, wait: false) == 0)
        try harness.waitUntil("every event committed") { harness.store.committed.count == 600 }
        expectOneFIFO(harness.store.committed, count: 600)
    }

    @Test func eventsQueuedWhileStoppingWithTheDatabaseDownAreSpooledForTheNextRun() throws {
        let spoolDirectory: String
        do {
            let harness = try Harness(up: false)
            harness.cycle("down", count: 10)
            harness.writer.stop(flushTimeout: .seconds(1))
            spoolDirectory = harness.spoolDirectory
            let spool = try EventSpool(directory: spoolDirectory, maxBytes: 1 << 20)
            #expect(spool.peek(limit: 100).count == 20)
            spool.close()
            #expect(harness.store.committed.isEmpty)
        }
    }

    @Test func aRejectedEventIsDeadLetteredAndTheOthersAreCommitted() throws {
        let harness = try Harness(mode: .async)
        try harness.waitForDatabaseConnected()
        harness.store.update { $0.rejectedClient = "poison" }
        harness.cycle("healthy", count: 2, wait: false)
        harness.writer.enqueue(harness.event(.connect, "poison"), waitForCommit: false)
        harness.cycle("later", count: 2, wait: false)
        try harness.waitUntil("healthy events committed") { harness.store.committed.count == 8 }
        try harness.waitUntil("dead letter counted") { harness.writer.currentStatus().eventsDeadLettered == 1 }
        let deadLetters = try String(contentsOfFile: harness.spoolDirectory + "/dead-letters.log", encoding: .utf8)
        #expect(deadLetters.split(separator: "\n").count == 1)
        #expect(deadLetters.contains("poison"))
        #expect(!harness.store.committed.contains { $0.clientID == "poison" })
    }
}

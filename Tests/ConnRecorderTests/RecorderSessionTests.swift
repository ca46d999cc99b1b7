@testable import ConnRecorder
import Foundation
import Locking
import Logging
import Testing

/// The recorder's session-end rules on the broker's thread, with the writer on a fake database:
/// which broker session deletes become `client_session_ends` rows, with which cause.
@Suite struct RecorderSessionTests {
    final class Harness {
        let store = FakeEventStore(timeout: .seconds(1))
        let recorder: ConnRecorder
        private let directory = NSTemporaryDirectory() + "recorder-tests-\(UUID().uuidString)"
        private var handle: UInt = 1

        init() throws {
            var options = ConnPluginOptions(dsn: "host=fake", brokerID: "unit", spoolDirectory: directory)
            options.mode = .async
            recorder = ConnRecorder(
                options: options, spool: try EventSpool(directory: directory, maxBytes: 1 << 20),
                logger: Logger(label: "recorder-tests"), store: store)
            recorder.sessionTracking = .brokerEvents
            try recorder.start()
        }

        deinit {
            recorder.shutdown(timestampMicros: Clocks.wallMicroseconds())
            try? FileManager.default.removeItem(atPath: directory)
        }

        func connect(_ client: String, cleanStart: Bool) -> UInt {
            handle += 1
            recorder.clientConnected(
                handle: handle, clientID: client, username: nil, address: "127.0.0.1", protocolVersion: 4,
                listenerPort: nil, keepAliveSeconds: 60, cleanStart: cleanStart, timestampMicros: Clocks.wallMicroseconds())
            return handle
        }

        func disconnect(_ handle: UInt, persists: Bool) {
            recorder.clientDisconnected(
                handle: handle, reason: 0, sessionPersists: persists, timestampMicros: Clocks.wallMicroseconds())
        }

        /// The committed events, once `count` have arrived: (kind, client, cause).
        func committed(_ count: Int) throws -> [String] {
            let deadline = Date().addingTimeInterval(10)
            while store.committed.count < count && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            return store.committed.map { "\($0.kind.rawValue) \($0.clientID) \($0.cause?.rawValue ?? "-")" }
        }
    }

    @Test func anExpiredKeptSessionEndsOnceEvenWhenEveryPluginCopyHearsIt() throws {
        let harness = try Harness()
        harness.disconnect(harness.connect("sleepy", cleanStart: false), persists: true)
        harness.recorder.sessionDeleted(clientID: "sleepy", timestampMicros: Clocks.wallMicroseconds())
        harness.recorder.sessionDeleted(clientID: "sleepy", timestampMicros: Clocks.wallMicroseconds())
        _ = harness.recorder.tick(monotonicMicros: 1)
        #expect(try harness.committed(3) == [
            "connect sleepy -", "disconnect sleepy client_offline", "session_end sleepy session_expired",
        ])
    }

    @Test func aCleanStartReconnectDiscardsTheKeptSessionBeforeItsConnect() throws {
        let harness = try Harness()
        harness.disconnect(harness.connect("keeper", cleanStart: false), persists: true)
        harness.recorder.sessionDeleted(clientID: "keeper", timestampMicros: Clocks.wallMicroseconds())
        // mosquitto reports the taken-over offline session's disconnect before the new CONNECT.
        harness.disconnect(999, persists: false)
        _ = harness.connect("keeper", cleanStart: true)
        #expect(try harness.committed(4) == [
            "connect keeper -", "disconnect keeper client_offline", "session_end keeper session_discarded",
            "connect keeper -",
        ])
    }

    @Test func aSessionThatEndsWithItsConnectionIsNoSessionEnd() throws {
        let harness = try Harness()
        harness.disconnect(harness.connect("plain", cleanStart: true), persists: false)
        harness.recorder.sessionDeleted(clientID: "plain", timestampMicros: Clocks.wallMicroseconds())
        _ = harness.recorder.tick(monotonicMicros: 1)
        harness.disconnect(harness.connect("marker", cleanStart: true), persists: false)
        #expect(try harness.committed(4) == [
            "connect plain -", "disconnect plain disconnect", "connect marker -", "disconnect marker disconnect",
        ])
    }
}

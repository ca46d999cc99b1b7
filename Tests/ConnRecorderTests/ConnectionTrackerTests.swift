import ConnRecorder
import Testing

@Suite struct ConnectionTrackerTests {
    private func connect(_ tracker: inout ConnectionTracker, _ handle: UInt, _ id: String) -> ConnectionTracker.OpenConnection? {
        tracker.connect(
            handle: handle, clientID: id, username: nil, peer: "127.0.0.1", protocol: "MQTT/5.0", listenerPort: 1883,
            keepAliveSeconds: 60, cleanStart: true)
    }

    @Test func everyConnectionGetsExactlyOneDisconnect() {
        var tracker = ConnectionTracker()
        #expect(connect(&tracker, 1, "a") != nil)
        #expect(tracker.disconnect(handle: 1)?.clientID == "a")
        #expect(tracker.disconnect(handle: 1) == nil)
        #expect(tracker.count == 0)
    }

    @Test func disconnectWithoutRecordedConnectIsIgnored() {
        // A failed authentication raises MOSQ_EVT_DISCONNECT without MOSQ_EVT_CONNECT.
        var tracker = ConnectionTracker()
        #expect(tracker.disconnect(handle: 42) == nil)
    }

    @Test func secondPluginCopyReportingTheSameConnectIsIgnored() {
        var tracker = ConnectionTracker()
        #expect(connect(&tracker, 7, "dup") != nil)
        #expect(connect(&tracker, 7, "dup") == nil)
        #expect(tracker.count == 1)
    }

    @Test func connectionSequenceIncreasesAndShutdownClosesInOrder() {
        var tracker = ConnectionTracker()
        let first = connect(&tracker, 10, "x")
        let second = connect(&tracker, 5, "y")
        #expect(first?.details.connectionSequence == 1)
        #expect(second?.details.connectionSequence == 2)
        #expect(tracker.disconnectAll().map(\.clientID) == ["x", "y"])
        #expect(tracker.count == 0)
    }
}

@testable import ConnRecorder
import Logging
import Testing

@Suite struct WriterStateTests {
    private func event(_ sequence: Int64) -> ConnEvent {
        ConnEvent(
            kind: .connect, timestampMicros: sequence, clientID: "c\(sequence)", username: nil, peer: nil, protocol: nil,
            reasonCode: nil, cause: nil,
            connection: ConnectionDetails(connectionSequence: sequence, listenerPort: nil, keepAliveSeconds: nil, cleanStart: nil),
            origin: EventOrigin(brokerID: "b", bootID: "boot", sequence: sequence))
    }

    /// Appends events `sequences`; true when every one was taken.
    private func push(_ sequences: ClosedRange<Int64>, into state: inout WriterState, capacity: Int = 10) -> Bool {
        sequences.allSatisfy { state.append(event($0), capacity: capacity) }
    }

    private func connectedState() -> WriterState {
        var state = WriterState(spoolBytes: 0, spoolHasEvents: false, queueReserve: 16)
        state.databaseUp = true
        state.spare = SpareConnection(connection: FakeEventStore.Connection(store: FakeEventStore(timeout: .seconds(1))))
        return state
    }

    @Test func directWritesOnlyWhenNothingOlderIsQueuedOrSpooled() {
        var state = connectedState()
        #expect(state.mayWriteDirectly())
        let pushed = push(1...1, into: &state)
        #expect(pushed)
        #expect(!state.mayWriteDirectly(), "a direct write would overtake the queued event")
        state.acknowledge(state.peek(limit: 10))
        #expect(state.mayWriteDirectly())
        state.spoolHasEvents = true
        #expect(!state.mayWriteDirectly(), "a direct write would overtake the spool")
    }

    /// Events on their way from memory to the spool count as spooled at once: between taking them
    /// and the writer's next look at the spool, a direct write would overtake them.
    @Test func eventsTakenForTheSpoolBlockDirectWritesAtOnce() {
        var state = connectedState()
        let pushed = push(1...2, into: &state)
        #expect(pushed)
        let moving = Array(state.takeAllForSpool())
        #expect(moving.map(\.origin.sequence) == [1, 2])
        #expect(state.queuedCount == 0)
        #expect(!state.mayWriteDirectly())
    }

    @Test func aFullQueueDropsAndCounts() {
        var state = connectedState()
        let first = push(1...1, into: &state, capacity: 1)
        let second = push(2...2, into: &state, capacity: 1)
        #expect(first && !second)
        #expect(state.status.eventsDropped == 1)
        let reported = state.takeDroppedCounts()
        let again = state.takeDroppedCounts()
        #expect(reported.queueFull == 1)
        #expect(again.queueFull == 0)
    }

    @Test func acknowledgingCommitsInOrderAndEndsTheSuspension() {
        var state = connectedState()
        let pushed = push(1...3, into: &state)
        #expect(pushed)
        state.brokerWaitsSuspended = true
        state.acknowledge(state.peek(limit: 2))
        #expect(state.isCommitted(2) && !state.isCommitted(3))
        #expect(state.brokerWaitsSuspended, "still behind: the broker's thread keeps not waiting")
        state.acknowledge(state.peek(limit: 2))
        #expect(state.isCommitted(3))
        #expect(!state.brokerWaitsSuspended)
    }

    /// A broker that fell behind once must not keep the backlog's buffer for the rest of its run.
    @Test func aDrainedBacklogHandsItsBufferBack() {
        var state = connectedState()
        let pushed = push(1...200, into: &state, capacity: 1000)
        #expect(pushed)
        #expect(state.memory.capacity >= 200)
        state.acknowledge(state.peek(limit: 150))
        #expect(state.memory.capacity >= 200, "not drained yet: the buffer stays")
        state.acknowledge(state.peek(limit: 150))
        #expect(state.queuedCount == 0 && state.isCommitted(200))
        #expect(state.memory.capacity < 200)
        #expect(state.memory.capacity >= 16, "the reserve is kept")
        // Within the reserve, the buffer is kept: no allocation per drained batch.
        let capacity = state.memory.capacity
        let refilled = push(201...210, into: &state, capacity: 1000)
        #expect(refilled)
        state.acknowledge(state.peek(limit: 10))
        #expect(state.memory.capacity == capacity)
    }

    @Test func eventsTakenForTheSpoolLeaveOnlyTheReserve() {
        var state = connectedState()
        let pushed = push(1...200, into: &state, capacity: 1000)
        #expect(pushed)
        let taken = state.takeAllForSpool()
        #expect(taken.count == 200)
        #expect(state.memory.capacity < 200)
    }
}

@Suite struct HeapReleaseTests {
    @Test func trimsOnlyAfterWritesAndAtMostOncePerInterval() {
        var release = HeapRelease()
        let interval = HeapRelease.minimumInterval.microseconds
        var trims: [Bool] = []
        trims.append(release.trimIfDue(atMicroseconds: 0))  // nothing was written
        release.wrote()
        trims.append(release.trimIfDue(atMicroseconds: 1_000))
        trims.append(release.trimIfDue(atMicroseconds: 2_000))  // nothing written since
        release.wrote()
        trims.append(release.trimIfDue(atMicroseconds: 1_000 + interval - 1))  // too soon after the last trim
        trims.append(release.trimIfDue(atMicroseconds: 1_000 + interval))  // pending until the interval passed
        #expect(trims == [false, true, false, false, true])
    }

    @Test func anOperatorsMallocTuningStands() {
        let tuned: [[String: String]] = [
            ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=4194304"], ["MALLOC_TRIM_THRESHOLD_": "0"],
            ["MALLOC_MMAP_THRESHOLD_": "1048576"],
        ]
        for environment in tuned {
            #expect(!HeapRelease.fixTrimThreshold(environment: { environment[$0] }), "\(environment)")
        }
        #expect(HeapRelease.fixTrimThreshold(environment: { ["GLIBC_TUNABLES": "glibc.pthread.rseq=0"][$0] }))
    }
}

@Suite struct PluginLogLineTests {
    @Test func prefixByLevelAndMetadataSortedAfterTheMessage() {
        #expect(
            PluginLogLine.format(level: .warning, message: "cannot write.", metadata: ["z": "1", "pg.error": "down"])
                == "conn-plugin: Warning: cannot write. pg.error=down z=1")
        #expect(PluginLogLine.format(level: .error, message: "bad option.", metadata: [:]) == "conn-plugin: Error: bad option.")
        #expect(PluginLogLine.format(level: .info, message: "stopped.", metadata: ["n": "3"]) == "conn-plugin: stopped. n=3")
    }
}

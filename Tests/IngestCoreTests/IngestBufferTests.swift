import Testing

@testable import IngestCore

@Suite("IngestBuffer")
struct IngestBufferTests {
    /// Inputs of three brokers: the buffer keeps their tags and one arrival order over all.
    private func message(_ number: Int) -> BrokerInput {
        BrokerInput(
            broker: number % 3,
            .message(
                topic: "$SYS/broker/load/\(number)", payload: "\(number)", receivedAtMicros: micros(Double(number))))
    }

    private func marker(_ number: Int) -> BrokerInput {
        BrokerInput(broker: number % 3, .brokerConnected(atMicros: micros(Double(number))))
    }

    @Test("inputs come out in arrival order, markers and messages interleaved")
    func order() {
        var buffer = IngestBuffer(limit: 100)
        let inputs = [
            marker(0), message(1), message(2), marker(3), message(4), marker(5), marker(6), message(7),
        ]
        #expect(inputs.map { buffer.push($0) } == Array(repeating: false, count: inputs.count))
        #expect(buffer.count == inputs.count)
        let first = buffer.take(3)
        let rest = buffer.take(100)
        #expect(first == Array(inputs[0..<3]) && rest == Array(inputs[3...]))
        let none = buffer.take(10)
        #expect(buffer.isEmpty && none.isEmpty)
        #expect(buffer.arrivals == UInt64(inputs.count))
    }

    @Test("past the limit the oldest message goes, never a marker")
    func dropsOldestMessage() {
        var buffer = IngestBuffer(limit: 3)
        // message(3) drops message 1 (the older marker stays); marker(4) drops message 2.
        let drops = [marker(0), message(1), message(2), message(3), marker(4)].map { buffer.push($0) }
        #expect(drops == [false, false, false, true, true])
        let left = buffer.take(10)
        #expect(left == [marker(0), message(3), marker(4)])
        #expect(buffer.arrivals == 5)
    }

    @Test("markers alone may exceed the limit; a message past it goes at once")
    func markersStay() {
        var buffer = IngestBuffer(limit: 2)
        let drops = (0..<5).map { buffer.push(marker($0)) }
        #expect(drops == Array(repeating: false, count: 5) && buffer.count == 5)
        let lastDrop = buffer.push(message(5))  // the only message is the oldest one: it goes itself
        let left = buffer.take(10)
        #expect(lastDrop && left == (0..<5).map(marker))
    }

    @Test("take(Int.max) empties the buffer")
    func takeEverything() {
        var buffer = IngestBuffer(limit: 10)
        for number in 0..<4 { _ = buffer.push(message(number)) }
        let all = buffer.take(Int.max)
        #expect(all == (0..<4).map(message) && buffer.isEmpty)
    }

    @Test("an outage's worth of drops: the newest `limit` messages remain, markers too, in order")
    func longOutage() {
        // 200,000 entries as in the daemon's default: one memmove per drop made this quadratic.
        let limit = 200_000
        var buffer = IngestBuffer(limit: limit)
        var dropped = 0
        var expectedMarkers: [BrokerInput] = []
        for number in 0..<(3 * limit) {
            let input = number % 50_000 == 0 ? marker(number) : message(number)
            if case .brokerConnected = input.input { expectedMarkers.append(input) }
            if buffer.push(input) { dropped += 1 }
        }
        #expect(buffer.count == limit)
        #expect(dropped == 2 * limit)
        let all = buffer.take(Int.max)
        let markers = all.filter { if case .brokerConnected = $0.input { true } else { false } }
        #expect(markers == expectedMarkers)
        let messages = all.filter { if case .message = $0.input { true } else { false } }
        #expect(messages.count == limit - expectedMarkers.count)
        #expect(messages.last == message(3 * limit - 1))
        // Arrival order holds across the merge: receivedAtMicros is the arrival number.
        let stamps = all.map { input -> Int64 in
            switch input.input {
            case .message(_, _, let at), .brokerConnected(let at, _), .brokerDisconnected(let at), .brokerPublishing(let at),
                .brokerStopped(let at): at
            case .brokerSilent(let at, _): at
            }
        }
        #expect(stamps == stamps.sorted())
    }

    @Test("pushes and takes interleaved across the storage's compaction keep the sequence")
    func interleaved() {
        var buffer = IngestBuffer(limit: 10_000)
        var next = 0
        var expected = 0
        for round in 0..<20 {
            for _ in 0..<(500 + round * 37) {
                _ = buffer.push(next % 97 == 0 ? marker(next) : message(next))
                next += 1
            }
            for input in buffer.take(400 + round * 41) {
                #expect(input == (expected % 97 == 0 ? marker(expected) : message(expected)))
                expected += 1
            }
        }
        #expect(buffer.count == next - expected)
    }
}

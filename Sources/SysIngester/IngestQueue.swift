import Foundation
import SysIngest

/// The hand-over point between libmosquitto's network thread (producer) and the writer
/// (consumer): a bounded FIFO that also cuts the stream into bursts.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition` is
/// locked; the class has no other state.
final class IngestQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [IngestInput] = []
    private var head = 0
    private var stopRequested = false
    private var droppedTotal = 0
    private var dropping = false
    /// The most inputs held at once; beyond it the oldest message is dropped.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    private var pending: Int { items.count - head }

    /// Appends an input. Called on libmosquitto's thread; never blocks for long.
    /// - Returns: true when this push started a dropping episode (log it once).
    @discardableResult
    func push(_ input: IngestInput) -> Bool {
        condition.lock()
        defer {
            condition.signal()
            condition.unlock()
        }
        items.append(input)
        guard pending > limit else { return false }
        // Drop the oldest message, never a connection marker: the restart rule counts them.
        if let index = items[head...].firstIndex(where: { if case .message = $0 { true } else { false } }) {
            items.remove(at: index)
            droppedTotal += 1
        }
        let started = !dropping
        dropping = true
        return started
    }

    /// Asks the consumer to finish; wakes it if it waits.
    func requestStop() {
        condition.lock()
        stopRequested = true
        condition.broadcast()
        condition.unlock()
    }

    var isStopRequested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopRequested
    }

    /// Messages dropped since the last call, and ends the dropping episode.
    func takeDropped() -> Int {
        condition.lock()
        defer { condition.unlock() }
        let count = droppedTotal
        droppedTotal = 0
        if pending < limit { dropping = false }
        return count
    }

    /// Waits for the next burst: inputs that arrive within `window` of each other, at most
    /// `maximum`. Returns at once (possibly empty) when a stop was requested.
    /// - Returns: nil when a stop was requested and nothing is left.
    func nextBurst(window: TimeInterval, maximum: Int) -> [IngestInput]? {
        condition.lock()
        defer { condition.unlock() }
        while pending == 0 && !stopRequested { condition.wait() }
        if pending == 0 { return nil }
        while !stopRequested && pending < maximum {
            let before = pending
            _ = condition.wait(until: Date(timeIntervalSinceNow: window))
            if pending == before { break }  // quiet for a whole window: the burst is over
        }
        return take(maximum)
    }

    /// Everything still queued, at most `maximum`.
    func drain(maximum: Int) -> [IngestInput] {
        condition.lock()
        defer { condition.unlock() }
        return take(maximum)
    }

    /// Sleeps `seconds` unless a stop is requested first.
    func sleep(_ seconds: TimeInterval) {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopRequested && Date() < deadline { _ = condition.wait(until: deadline) }
    }

    private func take(_ maximum: Int) -> [IngestInput] {
        // Not `head + maximum`: drain(maximum: Int.max) would overflow and trap.
        let end = head + min(maximum, items.count - head)
        let burst = Array(items[head..<end])
        head = end
        if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return burst
    }
}

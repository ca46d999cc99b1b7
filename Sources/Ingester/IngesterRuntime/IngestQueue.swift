import Foundation
import IngestCore
import Locking

/// The hand-over point between the brokers' network threads (one libmosquitto thread per broker,
/// the producers) and the one writer (the consumer): a bounded FIFO (`IngestBuffer`) of inputs
/// tagged with their broker, that also cuts the stream into bursts.
package final class IngestQueue: Sendable {
    /// Everything the lock guards.
    private struct State: Sendable {
        var buffer: IngestBuffer
        var stopRequested = false
        /// Messages dropped since the last `takeDropped()`.
        var droppedTotal = 0
        /// Inside a dropping episode: its first drop was reported, the rest are counted.
        var dropping = false
    }

    private let state: ConditionLocked<State>

    /// Changes the state and wakes the consumer if it waits.
    private func change<Result>(_ body: (inout State) -> Result) -> Result {
        defer { state.broadcast() }
        return state.withLock(body)
    }
    /// The most inputs held at once; beyond it the oldest message is dropped.
    package let limit: Int

    /// - Parameter limit: the most inputs held at once.
    package init(limit: Int) {
        self.limit = limit
        state = ConditionLocked(State(buffer: IngestBuffer(limit: limit)))
    }

    /// Appends an input. Called on a libmosquitto thread; never blocks for long.
    /// - Returns: true when this push started a dropping episode (log it once).
    @discardableResult
    package func push(_ input: BrokerInput) -> Bool {
        change { state in
            // The buffer drops the oldest message, never a connection marker: the restart rule counts them.
            guard state.buffer.push(input) else { return false }
            state.droppedTotal += 1
            defer { state.dropping = true }
            return !state.dropping
        }
    }

    /// Asks the consumer to finish; wakes it if it waits.
    package func requestStop() {
        change { $0.stopRequested = true }
    }

    /// Whether `requestStop()` was called.
    package var isStopRequested: Bool {
        state.withLock { $0.stopRequested }
    }

    /// Messages dropped since the last call, and ends the dropping episode.
    package func takeDropped() -> Int {
        state.withLock { state in
            defer { state.droppedTotal = 0 }
            if state.buffer.count < limit { state.dropping = false }
            return state.droppedTotal
        }
    }

    /// Waits for the next burst: inputs that arrive within `window` of each other, at most
    /// `maximum`. Returns at once (possibly empty) when a stop was requested.
    /// - Returns: nil when a stop was requested and nothing is left.
    package func nextBurst(window: Duration, maximum: Int) -> [BrokerInput]? {
        let waiting = state.withLock(
            when: { !$0.buffer.isEmpty || $0.stopRequested },
            do: { state, _ -> UInt64? in state.buffer.isEmpty ? nil : state.buffer.arrivals })
        guard var seen = waiting else { return nil }
        let complete = { (state: State) in state.stopRequested || state.buffer.count >= maximum }
        while true {
            let before = seen
            let burst = state.withLock(
                when: { complete($0) || $0.buffer.arrivals != before },
                untilMicroseconds: Clocks.monotonicDeadline(after: window),
                do: { state, ready -> [BrokerInput]? in
                    // Something arrived within the window: wait one more. Quiet for a whole window,
                    // stopping or full: the burst is over.
                    if ready && !complete(state) {
                        seen = state.buffer.arrivals
                        return nil
                    }
                    return state.buffer.take(maximum)
                })
            if let burst { return burst }
        }
    }

    /// Everything still queued, at most `maximum`.
    package func drain(maximum: Int) -> [BrokerInput] {
        state.withLock { $0.buffer.take(maximum) }
    }

    /// Inputs waiting now.
    package var depth: Int {
        state.withLock { $0.buffer.count }
    }

    /// Sleeps for `span` unless a stop is requested first.
    package func sleep(_ span: Duration) {
        state.withLock(
            when: { $0.stopRequested }, untilMicroseconds: Clocks.monotonicDeadline(after: span), do: { _, _ in })
    }
}

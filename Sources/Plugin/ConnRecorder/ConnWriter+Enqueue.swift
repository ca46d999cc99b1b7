import Locking
import Storage

extension ConnWriter {
    /// What the broker's thread does with one event, decided in one critical section.
    private enum Route {
        /// Nothing is queued or spooled and a spare connection is ready: write it here.
        case writeDirectly(SpareConnection)
        /// Queued; in sync mode, wait for the commit of this sequence.
        case waitForCommit(Int64)
        /// Queued (or dropped, counted) and nothing to wait for.
        case queued
    }

    /// Numbers `event` (its key's sequence, in queue order) and hands it on, in one critical
    /// section. In sync mode, when nothing is queued or spooled (so this event cannot overtake
    /// another) and a spare connection is ready, the broker's thread writes the event itself,
    /// saving the two thread hand-offs per event that dominate sync mode's cost. Otherwise the
    /// event is queued and, in sync mode while the database keeps up, the call waits until it is
    /// committed or `timeout` passes. Never blocks longer than `timeout`.
    ///
    /// - Returns: true when the event was committed before returning (sync mode only).
    @discardableResult
    package func enqueue(_ event: ConnEvent, waitForCommit: Bool) -> Bool {
        var event = event
        let capacity = options.queueCapacity
        let (route, wakeWriter) = shared.withLock { state -> (Route, Bool) in
            event.origin.sequence = state.takeSequence()
            state.status.eventsSeen += 1
            if waitForCommit, state.mayWriteDirectly(), let spare = state.spare {
                state.spare = nil
                state.spareInUse = true
                return (.writeDirectly(spare), false)
            }
            guard state.append(event, capacity: capacity) else { return (.queued, false) }
            let route: Route = waitForCommit && state.mayWaitForCommit ? .waitForCommit(event.origin.sequence) : .queued
            return (route, state.writerWaiting)
        }
        if wakeWriter { shared.broadcast() }
        switch route {
        case .writeDirectly(let spare): return writeDirectly(event, on: spare)
        case .waitForCommit(let sequence): return waitUntilCommitted(sequence)
        case .queued: return false
        }
    }

    /// Waits at most `timeout` for the writer to commit `sequence`. A wait that times out stops
    /// further waits until the writer has caught up, so a hung database holds the broker's
    /// thread once, not once per event.
    private func waitUntilCommitted(_ sequence: Int64) -> Bool {
        let started = Clocks.monotonicMicroseconds()
        let deadline = started + timeout.microseconds
        return shared.withLock { (state, timedOut) -> ConditionLocked<WriterState>.Step<Bool> in
            let committed = state.isCommitted(sequence)
            let givenUp = !committed && (timedOut || !state.databaseUp || state.stopping)
            guard committed || givenUp else { return .wait(untilMicroseconds: deadline) }
            if givenUp && timedOut { state.brokerWaitsSuspended = true }
            let waited = Clocks.monotonicMicroseconds() - started
            state.recordBrokerWait(micros: waited, timedOut: givenUp && timedOut)
            return .done(committed)
        }
    }

    /// Writes `event` on the borrowed connection, waiting at most `timeout`. On any failure the
    /// connection is dropped and the event goes to the writer's queue (its key makes a retry of an
    /// uncertain commit harmless), and the broker's thread stops waiting until the writer has
    /// caught up, as after a timed-out wait.
    private func writeDirectly(_ event: ConnEvent, on spare: SpareConnection) -> Bool {
        let started = Clocks.monotonicMicroseconds()
        var failure: PostgresError?
        do {
            try spare.connection.write([event])
        } catch {
            failure = error
            spare.connection.close()
        }
        let waited = Clocks.monotonicMicroseconds() - started
        let capacity = options.queueCapacity
        let (committed, closeSpare) = shared.withLock { state -> (Bool, Bool) in
            state.spareInUse = false
            state.recordBrokerWait(micros: waited, timedOut: failure?.kind == .timeout)
            guard failure == nil else {
                state.brokerWaitsSuspended = true
                _ = state.append(event, capacity: capacity)
                return (false, false)
            }
            state.recordWrite(count: 1, latencyMicros: waited)
            state.settle(upTo: event.origin.sequence)
            if state.stopping { return (true, true) }
            state.spare = spare
            return (true, false)
        }
        if closeSpare { spare.connection.close() }
        if !committed { shared.broadcast() }
        return committed
    }
}

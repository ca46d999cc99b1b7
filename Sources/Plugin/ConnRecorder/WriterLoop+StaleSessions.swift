import Locking
import Storage

extension WriterLoop {
    /// At the first connection of this run: clients that an earlier run of this broker left
    /// shown as connected (it crashed or was killed) get their disconnect row.
    func closeStaleSessions() {
        guard let connection else { return }
        do {
            var closed = 0
            for run in try connection.runsWithOpenSessions(brokerID: options.brokerID, excluding: bootID) {
                guard try connection.lockRun(run) else {
                    logger.info(
                        "an earlier run of this broker id is still running elsewhere (another broker with the same plugin_opt_conn_broker_id?); its sessions are left alone.",
                        metadata: ["run": "\(run)", "broker_id": "\(options.brokerID)"])
                    continue
                }
                defer { connection.unlockRun(run) }
                guard let count = try closeSessions(ofRun: run, on: connection) else { return }
                closed += count
            }
            if closed > 0 {
                logger.info(
                    "closed \(closed) sessions left open by an earlier run of this broker (it did not shut down cleanly).",
                    metadata: ["broker_id": "\(options.brokerID)"])
            }
            staleSessionsChecked = true
        } catch let error where error.kind == .statement {
            logger.warning("could not look for sessions left open by an earlier run.", metadata: ["pg.error": "\(error)"])
            staleSessionsChecked = true
        } catch {
            abandonConnection(after: error)
        }
    }

    /// Writes a disconnect for every client that run `run` left connected.
    /// - Returns: how many, or nil when the database failed (retried later).
    private func closeSessions(ofRun run: String, on connection: any ConnEventStoreConnection) throws(PostgresError)
        -> Int?
    {
        let events = try connection.sessionsLeftOpen(brokerID: options.brokerID, run: run).map { session in
            ConnEvent(
                kind: .disconnect, timestampMicros: session.lastAliveMicros, clientID: session.clientID,
                username: session.username, peer: session.peer, protocol: session.protocol,
                reasonCode: ReasonCodes.serverUnavailable, cause: .staleAfterRestart,
                connection: ConnectionDetails(
                    connectionSequence: session.connectionSequence, listenerPort: nil, keepAliveSeconds: nil,
                    cleanStart: nil),
                origin: EventOrigin(
                    brokerID: options.brokerID, bootID: bootID, sequence: shared.withLock { $0.takeSequence() }))
        }
        var index = 0
        while index < events.count {
            let batch = Array(events[index..<min(events.count, index + batchLimit(depth: 0))])
            switch write(batch, on: connection) {
            case .failed: return nil
            case .retrySmaller: continue
            case .settled: index += batch.count
            }
        }
        return events.count
    }
}

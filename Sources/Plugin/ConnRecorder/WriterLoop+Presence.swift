import Locking
import Storage

extension WriterLoop {
    /// Seconds between heartbeats: the status interval, or 10 s when status publication is off
    /// (broker liveness must not depend on it).
    var heartbeatIntervalSeconds: Int { options.statusIntervalSeconds > 0 ? options.statusIntervalSeconds : 10 }

    private func heartbeat(stopping: Bool) -> BrokerHeartbeat {
        BrokerHeartbeat(
            brokerID: options.brokerID, bootID: bootID, startedAtMicros: startedAtMicros,
            intervalSeconds: heartbeatIntervalSeconds, stopping: stopping, pluginVersion: ConnRecorderInfo.name + " " + ConnRecorderInfo.version)
    }

    /// Writes broker_status when a heartbeat is due. Never spooled: while the database is away
    /// nothing is written, and the first heartbeat after it returns says all there is to say.
    ///
    /// Once a stop is requested, the clean-stop mark (stopped_at) is due at once, before the
    /// flush writes what is queued: a flush cut short at its time limit ends every later wait of
    /// the writer's connections (the interrupt is sticky), so a mark left for the end was lost
    /// exactly when disconnects stayed in the spool, and presence showed those clients online,
    /// then unknown, instead of offline (BENCH_MODE=fleet-scale, 17,000 clients per broker). After
    /// the mark no more heartbeats: one without `stopping` would clear stopped_at again.
    func heartbeatIfDue() {
        let now = Clocks.monotonicMicroseconds()
        let stopping = shared.withLock { $0.stopping }
        let due = stopping ? nextHeartbeatAt != .max : now >= nextHeartbeatAt
        guard due, let connection else { return }
        nextHeartbeatAt = stopping ? .max : now + Int64(heartbeatIntervalSeconds) * 1_000_000
        do {
            try connection.recordHeartbeat(heartbeat(stopping: stopping))
            heartbeatFailureLogged = false
        } catch let error where error.kind == .statement {
            if !heartbeatFailureLogged {
                logger.warning("could not write this broker's heartbeat to broker_status.", metadata: ["pg.error": "\(error)"])
                heartbeatFailureLogged = true
            }
        } catch {
            // The stop mark is tried again on the next connection, if the flush time allows one.
            if stopping { nextHeartbeatAt = 0 }
            abandonConnection(after: error)
        }
    }

    /// A clean stop: broker_status.stopped_at, once everything queued is written (or spooled);
    /// again, if `heartbeatIfDue` marked it already (a later stopped_at changes nothing for presence).
    func recordCleanStop() {
        guard let connection, connection.isOpen else { return }
        do {
            try connection.recordHeartbeat(heartbeat(stopping: true))
        } catch {
            logger.warning("could not record the clean stop in broker_status.", metadata: ["pg.error": "\(error)"])
        }
    }

    /// At the first connection: the clients whose sessions this broker held when last heard of,
    /// for the broker's thread to check (`ConnRecorder.tick`): a restarted broker may no longer
    /// hold them.
    func loadKeptSessions() {
        guard let connection else { return }
        do {
            let kept = try connection.keptSessions(brokerID: options.brokerID)
            shared.withLock { $0.sessionsToVerify = kept.reversed() }
            keptSessionsLoaded = true
        } catch let error where error.kind == .statement {
            logger.warning("could not read the sessions this broker kept.", metadata: ["pg.error": "\(error)"])
            keptSessionsLoaded = true
        } catch {
            abandonConnection(after: error)
        }
    }
}

/// The plugin's name and version, as it reports them (mosquitto_plugin_set_info, broker_status).
package enum ConnRecorderInfo {
    package static let name = "conn-plugin"
    package static let version = "0.2.0"
}

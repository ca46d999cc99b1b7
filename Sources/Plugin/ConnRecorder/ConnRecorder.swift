import Locking
import Logging
import Storage

/// What the plugin does with the broker's events, in plain Swift: decides which events are
/// recorded (one connect and exactly one disconnect per connection), builds their rows, and
/// hands them to the writer. Called on the broker's thread only.
package final class ConnRecorder {
    package let options: ConnPluginOptions
    private let writer: ConnWriter
    private let logger: Logger
    private var tracker = ConnectionTracker()
    private var lastStatusPublication: Int64 = 0
    private var lastDropReport: Int64 = 0
    /// The pace of the periodic work of MOSQ_EVT_TICK, which the broker calls on every loop
    /// iteration (`TickSchedule`); shared by every loaded copy of the plugin.
    private var tickSchedule = TickSchedule()
    /// This run's identity on every event; the writer fills in the sequence when it queues one.
    private let origin: EventOrigin
    /// Clients whose connection ended while the broker keeps their MQTT session.
    private var keptSessions = KeptSessions()
    /// How the recorder learns that the broker dropped a kept session.
    package var sessionTracking: SessionTracking = .polling
    /// Sessions the broker just deleted (MOSQ_EVT_PERSIST_CLIENT_DELETE), recorded at the next
    /// callback: a CONNECT of the same client right after means clean start discarded it;
    /// anything else, that it expired.
    private var deletedSessions: [(clientID: String, timestampMicros: Int64)] = []
    /// The client whose DISCONNECT was the last event: its session ended with the connection, so
    /// the broker's session delete that follows is no news.
    private var endedWithConnection: String?
    /// Whether sessions outliving their connections also outlive a clean broker stop (the
    /// broker's `persistence`).
    package var sessionsSurviveRestart: Bool
    /// Kept sessions checked against the broker per tick (each check is one hash lookup in the
    /// broker's client table; the work of 4 ticks a second, `TickSchedule`: 4,000 sessions a second).
    static let sessionChecksPerTick = 1000

    package enum SessionTracking: Sendable {
        /// MOSQ_EVT_PERSIST_CLIENT_ADD/DELETE: the broker says when a session persists and ends.
        case brokerEvents
        /// Those events are refused (`persistence true`): kept sessions are looked up in the
        /// broker's client table, a bounded number per tick.
        case polling
    }

    /// - Parameters:
    ///   - spool: the disk spool, or nil when none could be opened.
    ///   - sessionsSurviveRestart: the broker keeps sessions across its restart (persistence).
    package init(
        options: ConnPluginOptions, spool: EventSpool?, logger: Logger, sessionsSurviveRestart: Bool = false,
        store: (any ConnEventStore)? = nil
    ) {
        self.options = options
        self.logger = logger
        self.sessionsSurviveRestart = sessionsSurviveRestart
        self.writer = ConnWriter(options: options, spool: spool, logger: logger, store: store)
        self.origin = EventOrigin(brokerID: options.brokerID, bootID: writer.bootID, sequence: 0)
    }

    /// Starts the writer thread; the database connection is made there, never on the broker's
    /// thread, so a database that is down does not delay the broker's start.
    package func start() throws(ConnWriterError) {
        try writer.start()
    }

    /// MOSQ_EVT_CONNECT: the client got its CONNACK.
    ///
    /// - Parameter handle: the broker's connection handle (address of its `struct mosquitto`).
    package func clientConnected(
        handle: UInt, clientID: String, username: String?, address: String?, protocolVersion: Int, listenerPort: Int?,
        keepAliveSeconds: Int?, cleanStart: Bool?, websockets: Bool? = nil, clientCertificate: Bool? = nil,
        timestampMicros: Int64
    ) {
        recordDeletedSessions(connecting: clientID)
        endedWithConnection = nil
        let protocolText = protocolName(forVersion: protocolVersion)
        guard
            let connection = tracker.connect(
                handle: handle, clientID: clientID, username: username, peer: address, protocol: protocolText,
                listenerPort: listenerPort, keepAliveSeconds: keepAliveSeconds, cleanStart: cleanStart,
                websockets: websockets, clientCertificate: clientCertificate)
        else { return }
        if keptSessions.remove(clientID) {
            if cleanStart == false {
                // Clean start off and a session this broker kept: the client resumes it.
                tracker.markSessionPersistent(clientID: clientID)
            } else {
                // Clean start: the broker dropped the kept session (without session events, this
                // connect is the only sign of it).
                recordSessionEnd(clientID, at: timestampMicros, cause: .sessionDiscarded)
            }
        }
        // Without session events, clean start off is the best guess at a session outliving the
        // connection (for a clean stop with persistence; the check at the next start corrects it).
        if sessionTracking == .polling && cleanStart == false { tracker.markSessionPersistent(clientID: clientID) }
        record(
            ConnEvent(
                kind: .connect, timestampMicros: timestampMicros, clientID: clientID, username: username, peer: address,
                protocol: protocolText, reasonCode: nil, cause: nil, connection: connection.details,
                origin: origin))
    }

    /// MOSQ_EVT_PERSIST_CLIENT_ADD: the broker keeps this connection's session after it ends.
    package func sessionPersisted(clientID: String) {
        tracker.markSessionPersistent(clientID: clientID)
    }

    /// MOSQ_EVT_PERSIST_CLIENT_DELETE: the broker dropped `clientID`'s session. Recorded as a
    /// session end only when it outlived its connection (then the client is not connected and
    /// did not just disconnect with its session).
    package func sessionDeleted(clientID: String, timestampMicros: Int64) {
        if endedWithConnection == clientID {
            endedWithConnection = nil
            return
        }
        // Every loaded copy of the plugin hears the event: the first one counts.
        guard !tracker.isConnected(clientID: clientID), !deletedSessions.contains(where: { $0.clientID == clientID })
        else { return }
        deletedSessions.append((clientID, timestampMicros))
    }

    /// Records the session deletes seen since the last callback: discarded by the connect of
    /// `connecting`, expired otherwise.
    private func recordDeletedSessions(connecting: String?) {
        guard !deletedSessions.isEmpty else { return }
        let deleted = deletedSessions
        deletedSessions.removeAll()
        for (clientID, timestamp) in deleted {
            recordSessionEnd(clientID, at: timestamp, cause: clientID == connecting ? .sessionDiscarded : .sessionExpired)
        }
    }

    private func recordSessionEnd(_ clientID: String, at timestampMicros: Int64, cause: ConnEvent.Cause) {
        keptSessions.remove(clientID)
        record(
            ConnEvent(
                kind: .sessionEnd, timestampMicros: timestampMicros, clientID: clientID, username: nil, peer: nil,
                protocol: nil, reasonCode: nil, cause: cause,
                connection: ConnectionDetails(connectionSequence: 0, listenerPort: nil, keepAliveSeconds: nil, cleanStart: nil),
                origin: origin),
            wait: false)
    }

    /// MOSQ_EVT_DISCONNECT or MOSQ_EVT_CLIENT_OFFLINE: the connection ended.
    ///
    /// - Parameters:
    ///   - reason: the broker's reason (a MOSQ_ERR_* value).
    ///   - sessionPersists: true for MOSQ_EVT_CLIENT_OFFLINE (the MQTT session outlives it).
    package func clientDisconnected(handle: UInt, reason: Int32, sessionPersists: Bool, timestampMicros: Int64) {
        // The disconnect of a connection never recorded (failed authentication; the offline
        // session a reconnecting client takes over) changes nothing: a session delete just before
        // belongs to the connect that follows it.
        guard let connection = tracker.disconnect(handle: handle) else { return }
        recordDeletedSessions(connecting: nil)
        endedWithConnection = nil
        if sessionPersists {
            keptSessions.insert(connection.clientID)
        } else {
            keptSessions.remove(connection.clientID)
            endedWithConnection = connection.clientID
        }
        var details = connection.details
        details.sessionOutlivesConnection = sessionPersists
        record(
            ConnEvent(
                kind: .disconnect, timestampMicros: timestampMicros, clientID: connection.clientID,
                username: connection.username, peer: connection.peer, protocol: connection.protocol, reasonCode: reason,
                cause: sessionPersists ? .clientOffline : .disconnect, connection: details,
                origin: origin))
    }

    /// The sessions loaded at start are each checked once against the broker; without session
    /// events, every kept session is checked again and again, a bounded number per tick.
    private func checkKeptSessions(brokerHoldsSession: (String) -> Bool) {
        let loaded = writer.takeSessionsToVerify(limit: Self.sessionChecksPerTick).filter {
            !tracker.isConnected(clientID: $0) && !keptSessions.contains($0)
        }
        let now = Clocks.wallMicroseconds()
        switch sessionTracking {
        case .brokerEvents:
            for clientID in loaded {
                if brokerHoldsSession(clientID) {
                    keptSessions.insert(clientID)
                } else {
                    recordSessionEnd(clientID, at: now, cause: .sessionNotRestored)
                }
            }
        case .polling:
            for clientID in loaded { keptSessions.insert(clientID, verified: false) }
            for (clientID, firstCheck) in keptSessions.nextToCheck(limit: Self.sessionChecksPerTick)
            where !brokerHoldsSession(clientID) {
                recordSessionEnd(clientID, at: now, cause: firstCheck ? .sessionNotRestored : .sessionExpired)
            }
        }
    }

    /// Whether the periodic work of `tick(monotonicMicros:brokerHoldsSession:)` is due at this
    /// call of MOSQ_EVT_TICK (wall-clock microseconds, the tick event's own clock).
    package func takeTickWorkIfDue(realtimeMicros: Int64) -> Bool {
        tickSchedule.takeWorkIfDue(nowMicros: realtimeMicros)
    }

    /// MOSQ_EVT_TICK: returns the status metrics to publish when an interval has passed, and
    /// warns (once per interval) about dropped events.
    ///
    /// - Parameter brokerHoldsSession: asks the broker whether it holds a session for a client id
    ///   (`mosquitto_client`); used for the sessions this broker kept before it (re)started.
    package func tick(monotonicMicros now: Int64, brokerHoldsSession: (String) -> Bool = { _ in true })
        -> [(topic: String, payload: String)]
    {
        recordDeletedSessions(connecting: nil)
        endedWithConnection = nil
        checkKeptSessions(brokerHoldsSession: brokerHoldsSession)
        let interval = Int64(max(options.statusIntervalSeconds, 1)) * 1_000_000
        if now - lastDropReport >= interval {
            lastDropReport = now
            let dropped = writer.takeDroppedCounts()
            if dropped.queueFull > 0 {
                logger.warning(
                    "connection events were dropped because the memory queue was full (plugin_opt_conn_queue_size) while the writer was busy; see $SYS/broker/conn-plugin/events/dropped.",
                    metadata: [
                        "events.dropped": "\(dropped.queueFull)", "interval_s": "\(interval / 1_000_000)",
                        "queue_size": "\(options.queueCapacity)",
                    ])
            }
            if dropped.spool > 0 {
                logger.warning(
                    "connection events were dropped because the spool was full (plugin_opt_conn_spool_max_mb) or could not be written; see $SYS/broker/conn-plugin/events/dropped.",
                    metadata: ["events.dropped": "\(dropped.spool)", "interval_s": "\(interval / 1_000_000)"])
            }
        }
        guard options.statusIntervalSeconds > 0, now - lastStatusPublication >= interval else { return [] }
        lastStatusPublication = now
        return writer.currentStatus().metrics.map { ("$SYS/broker/conn-plugin/" + $0.0, $0.1) }
    }

    /// The broker is shutting down: it raises no event for clients still connected, so their
    /// disconnects are recorded here (their sessions kept where the broker persists them, else
    /// ended, as are the kept sessions of clients already gone); then everything queued is
    /// flushed (or spooled).
    package func shutdown(timestampMicros: Int64) {
        recordDeletedSessions(connecting: nil)
        let open = tracker.disconnectAll()
        for connection in open {
            var details = connection.details
            details.sessionOutlivesConnection = connection.sessionPersistent && sessionsSurviveRestart
            record(
                ConnEvent(
                    kind: .disconnect, timestampMicros: timestampMicros, clientID: connection.clientID,
                    username: connection.username, peer: connection.peer, protocol: connection.protocol,
                    reasonCode: ReasonCodes.serverShuttingDown, cause: .brokerShutdown, connection: details,
                    origin: origin),
                wait: false)
        }
        if !sessionsSurviveRestart {
            for clientID in keptSessions.sorted {
                recordSessionEnd(clientID, at: timestampMicros, cause: .brokerShutdown)
            }
        }
        writer.stop(flushTimeout: .seconds(5))
        let final = writer.currentStatus()
        logger.info(
            "stopped.",
            metadata: [
                "events.seen": "\(final.eventsSeen)", "events.written": "\(final.eventsWritten)",
                "events.spooled": "\(final.eventsSpooled)", "events.dropped": "\(final.eventsDropped)",
                "events.dead_lettered": "\(final.eventsDeadLettered)", "events.queued": "\(final.eventsQueued)",
            ])
    }

    private func record(_ event: ConnEvent, wait: Bool? = nil) {
        if options.debug {
            var metadata: Logger.Metadata = ["client": "\(event.clientID)", "peer": "\(event.peer ?? "?")"]
            if let reason = event.reasonCode { metadata["reason"] = "\(reason)" }
            logger.debug("\(event.kind.rawValue).", metadata: metadata)
        }
        writer.enqueue(event, waitForCommit: wait ?? (options.mode == .sync))
    }
}

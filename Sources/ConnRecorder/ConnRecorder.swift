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
    /// This run's identity on every event; the writer fills in the sequence when it queues one.
    private let origin: EventOrigin

    /// - Parameter spool: the disk spool, or nil when none could be opened.
    package init(options: ConnPluginOptions, spool: EventSpool?, logger: Logger) {
        self.options = options
        self.logger = logger
        self.writer = ConnWriter(options: options, spool: spool, logger: logger)
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
        let protocolText = protocolName(forVersion: protocolVersion)
        guard
            let connection = tracker.connect(
                handle: handle, clientID: clientID, username: username, peer: address, protocol: protocolText,
                listenerPort: listenerPort, keepAliveSeconds: keepAliveSeconds, cleanStart: cleanStart,
                websockets: websockets, clientCertificate: clientCertificate)
        else { return }
        record(
            ConnEvent(
                kind: .connect, timestampMicros: timestampMicros, clientID: clientID, username: username, peer: address,
                protocol: protocolText, reasonCode: nil, cause: nil, connection: connection.details,
                origin: origin))
    }

    /// MOSQ_EVT_DISCONNECT or MOSQ_EVT_CLIENT_OFFLINE: the connection ended.
    ///
    /// - Parameters:
    ///   - reason: the broker's reason (a MOSQ_ERR_* value).
    ///   - sessionPersists: true for MOSQ_EVT_CLIENT_OFFLINE (the MQTT session outlives it).
    package func clientDisconnected(handle: UInt, reason: Int32, sessionPersists: Bool, timestampMicros: Int64) {
        guard let connection = tracker.disconnect(handle: handle) else { return }
        var details = connection.details
        details.sessionOutlivesConnection = sessionPersists
        record(
            ConnEvent(
                kind: .disconnect, timestampMicros: timestampMicros, clientID: connection.clientID,
                username: connection.username, peer: connection.peer, protocol: connection.protocol, reasonCode: reason,
                cause: sessionPersists ? .clientOffline : .disconnect, connection: details,
                origin: origin))
    }

    /// MOSQ_EVT_TICK: returns the status metrics to publish when an interval has passed, and
    /// warns (once per interval) about dropped events.
    package func tick(monotonicMicros now: Int64) -> [(topic: String, payload: String)] {
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
    /// disconnects are recorded here; then everything queued is flushed (or spooled).
    package func shutdown(timestampMicros: Int64) {
        let open = tracker.disconnectAll()
        for connection in open {
            record(
                ConnEvent(
                    kind: .disconnect, timestampMicros: timestampMicros, clientID: connection.clientID,
                    username: connection.username, peer: connection.peer, protocol: connection.protocol,
                    reasonCode: ReasonCodes.serverShuttingDown, cause: .brokerShutdown, connection: connection.details,
                    origin: origin),
                wait: false)
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

internal import CMosquittoBroker
import ConnRecorder
import Logging
import Storage

#if canImport(Glibc)
import Glibc
import Locking
#endif

/// Process-wide state, touched only on the broker's thread (init, callbacks, cleanup).
enum PluginRuntime {
    // nonisolated(unsafe): read and written on the broker's thread only (init, callbacks, cleanup).
    nonisolated(unsafe) static var shared: (recorder: ConnRecorder, outbox: BrokerLogHandler.Outbox, copies: Int)?

    static let name = ConnRecorderInfo.name
    static let version = ConnRecorderInfo.version

    /// The events the plugin listens to. CONNECT and CLIENT_OFFLINE exist from mosquitto 2.1.
    static let events: [Int32] = [cmosq_evt_connect, cmosq_evt_disconnect, cmosq_evt_client_offline, cmosq_evt_tick]

    /// PERSIST_CLIENT_ADD and _DELETE tell which sessions outlive their connections and when the
    /// broker drops them (expiry, clean-start discard). mosquitto refuses them to every plugin
    /// while it runs with `persistence true`; the recorder then looks kept sessions up instead.
    static let sessionEvents: [Int32] = [cmosq_evt_persist_client_add, cmosq_evt_persist_client_delete]

    /// A step of `initialize` refused the start; it has logged why, and the broker gets `brokerResult`.
    private struct StartRefused: Error {
        let brokerResult: Int32
    }

    /// mosquitto_plugin_init: parses options, creates (or joins) the recorder, registers callbacks.
    /// Returns a MOSQ_ERR_* value; never throws or traps.
    static func initialize(
        identifier: OpaquePointer?, userdata: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
        options: [(key: String, value: String)]
    ) -> Int32 {
        guard let identifier, let userdata else { return BrokerResult.invalid }
        let outbox = shared?.outbox ?? BrokerLogHandler.Outbox(brokerThread: pthread_self())
        // Every line the plugin writes goes through this logger (and so through one format).
        var logger = Logger(label: name) { _ in BrokerLogHandler(outbox: outbox) }
        do throws(StartRefused) {
            try requireConnectEvent(logger: logger)
            let parsed = try parseOptions(options, logger: logger)
            for warning in parsed.warnings { logger.warning("\(warning)") }
            logger.logLevel = parsed.options.debug ? .debug : .info
            let recorder =
                if let existing = shared {
                    try joinRecorder(existing, options: parsed.options, logger: logger)
                } else {
                    try startRecorder(parsed.options, brokerOptions: options, outbox: outbox, logger: logger)
                }
            let instance = PluginInstance(identifier: identifier, recorder: recorder, outbox: outbox)
            // Ownership: one retain for the broker's userdata pointer, released in cleanup.
            let context = Unmanaged.passRetained(instance).toOpaque()
            try registerEvents(instance, context: context, logger: logger)
            if recorder.sessionTracking == .brokerEvents {
                registerSessionEvents(instance, context: context, logger: logger)
            }
            _ = cmosq_plugin_set_info(identifier, name, version)
            userdata.pointee = context
            return BrokerResult.success
        } catch {
            return error.brokerResult
        }
    }

    /// mosquitto 2.0 has no MOSQ_EVT_CONNECT: refuse clearly rather than run half-working.
    /// mosquitto_plugin_set_info() appeared in the same release, so its presence is the test.
    private static func requireConnectEvent(logger: Logger) throws(StartRefused) {
        guard dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mosquitto_plugin_set_info") != nil else {
            logger.error(
                "this plugin requires mosquitto 2.1 or later (this broker has no MOSQ_EVT_CONNECT event). To record clients of a mosquitto 2.0.x broker, run sys-ingester against its $SYS topics instead.")
            throw StartRefused(brokerResult: BrokerResult.notSupported)
        }
    }

    /// The `plugin_opt_conn_*` options (and PG_DSN), checked, with warnings for what is ignored.
    private static func parseOptions(
        _ options: [(key: String, value: String)], logger: Logger
    ) throws(StartRefused) -> (options: ConnPluginOptions, warnings: [String]) {
        do {
            let parsed = try ConnPluginOptions.parse(
                options, environmentDSN: getenv("PG_DSN").map { String(cString: $0) },
                defaultBrokerID: hostName(), defaultSpoolDirectory: defaultSpoolDirectory())
            try ConnectionString.validate(parsed.options.dsn)
            return parsed
        } catch let error as ConnPluginOptionError {
            logger.error("\(error). The plugin will not start.")
        } catch {
            let source = options.contains { $0.key.lowercased() == "conn_pg_dsn" } ? "plugin_opt_conn_pg_dsn" : "PG_DSN"
            logger.error(
                "\(source) is not a valid libpq connection string. The plugin will not start.",
                metadata: ["pg.error": "\(error)"])
        }
        throw StartRefused(brokerResult: BrokerResult.invalid)
    }

    /// A second copy of the plugin in the same broker shares the first copy's recorder, so each
    /// event is still recorded once; it must have the same options.
    private static func joinRecorder(
        _ existing: (recorder: ConnRecorder, outbox: BrokerLogHandler.Outbox, copies: Int), options: ConnPluginOptions,
        logger: Logger
    ) throws(StartRefused) -> ConnRecorder {
        guard existing.recorder.options == options else {
            logger.error(
                "the plugin is loaded a second time with different plugin_opt_conn_* options. Load it once (per_listener_settings calls one copy for every listener's clients when loaded with global_plugin), or give every copy the same options.")
            throw StartRefused(brokerResult: BrokerResult.invalid)
        }
        shared = (existing.recorder, existing.outbox, existing.copies + 1)
        logger.info("loaded again; this copy shares the first copy's recorder, so each event is still recorded once.")
        return existing.recorder
    }

    /// The first copy: opens the spool, learns whether sessions survive the broker's restart,
    /// starts the recorder's writer and makes it the shared one.
    private static func startRecorder(
        _ options: ConnPluginOptions, brokerOptions: [(key: String, value: String)], outbox: BrokerLogHandler.Outbox,
        logger: Logger
    ) throws(StartRefused) -> ConnRecorder {
        let spool = try openSpool(options, brokerOptions: brokerOptions, logger: logger)
        let sessionsSurviveRestart: Bool
        switch options.persistence {
        case .true: sessionsSurviveRestart = true
        case .false: sessionsSurviveRestart = false
        case .auto: sessionsSurviveRestart = !(cmosq_persistence_location().map { String(cString: $0) } ?? "").isEmpty
        }
        let recorder = ConnRecorder(
            options: options, spool: spool, logger: logger, sessionsSurviveRestart: sessionsSurviveRestart)
        recorder.sessionTracking = sessionsSurviveRestart ? .polling : .brokerEvents
        do {
            try recorder.start()
        } catch {
            logger.error("\(error). The plugin will not start.")
            throw StartRefused(brokerResult: BrokerResult.unknown)
        }
        shared = (recorder, outbox, 1)
        logger.info(
            "recording connections to PostgreSQL.",
            metadata: [
                "pg.dsn": "\(ConnectionString.redacted(options.dsn))", "mode": "\(options.mode.rawValue)",
                "broker_id": "\(options.brokerID)", "timeout_ms": "\(options.timeoutMilliseconds)",
                "spool": "\(spool?.directory ?? "none")", "sessions_survive_restart": "\(sessionsSurviveRestart)",
            ])
        return recorder
    }

    /// The disk spool, or nil (with a warning) when the default directory cannot be used; a
    /// `plugin_opt_conn_spool_dir` that cannot be used refuses the start instead.
    private static func openSpool(
        _ options: ConnPluginOptions, brokerOptions: [(key: String, value: String)], logger: Logger
    ) throws(StartRefused) -> EventSpool? {
        do {
            return try EventSpool(directory: options.spoolDirectory, maxBytes: options.spoolMaxBytes)
        } catch {
            let explicit = brokerOptions.contains { $0.key.lowercased() == "conn_spool_dir" }
            if explicit {
                logger.error("plugin_opt_conn_spool_dir: \(error). The plugin will not start.")
                throw StartRefused(brokerResult: BrokerResult.invalid)
            }
            logger.warning("\(error); running without a disk spool, so events that arrive while PostgreSQL is unreachable and the memory queue is full are dropped. Set plugin_opt_conn_spool_dir.")
            return nil
        }
    }

    /// Registers `events`; on a refusal, undoes this copy (`cleanup`) and passes the broker's code on.
    private static func registerEvents(
        _ instance: PluginInstance, context: UnsafeMutableRawPointer, logger: Logger
    ) throws(StartRefused) {
        for event in events {
            let rc = cmosq_callback_register(instance.identifier, event, connPluginEventCallback, context)
            guard rc == BrokerResult.success else {
                logger.error(
                    rc == BrokerResult.notSupported
                        ? "this broker does not support event \(event); mosquitto 2.1 or later is required."
                        : "registering for broker event \(event) failed (\(rc)).")
                _ = cleanup(context: context)
                throw StartRefused(brokerResult: rc)
            }
            instance.registeredEvents.append(event)
        }
    }

    /// Registers `sessionEvents`. A refusal is no failure: the broker runs with `persistence true`
    /// after all (it has just logged that it refuses persistence events), so sessions survive its
    /// restart, and kept ones are looked up a few per tick.
    private static func registerSessionEvents(
        _ instance: PluginInstance, context: UnsafeMutableRawPointer, logger: Logger
    ) {
        for event in sessionEvents {
            let rc = cmosq_callback_register(instance.identifier, event, connPluginEventCallback, context)
            guard rc == BrokerResult.success else {
                instance.recorder.sessionTracking = .polling
                instance.recorder.sessionsSurviveRestart = true
                logger.warning(
                    "the broker refused its session events, as mosquitto does with `persistence true`; kept sessions are looked up in the broker's client table instead. Set plugin_opt_conn_persistence true to say so and avoid the broker's error line.",
                    metadata: ["event": "\(event)", "rc": "\(rc)"])
                return
            }
            instance.registeredEvents.append(event)
        }
    }

    /// mosquitto_plugin_cleanup: unregisters this copy's callbacks; the last copy records the
    /// disconnects of clients still connected and flushes everything queued.
    static func cleanup(context: UnsafeMutableRawPointer?) -> Int32 {
        guard let context else { return BrokerResult.success }
        let instance = Unmanaged<PluginInstance>.fromOpaque(context).takeRetainedValue()
        for event in instance.registeredEvents {
            _ = cmosq_callback_unregister(instance.identifier, event, connPluginEventCallback)
        }
        instance.registeredEvents.removeAll()
        if let current = shared {
            if current.copies > 1 {
                shared = (current.recorder, current.outbox, current.copies - 1)
            } else {
                current.recorder.shutdown(timestampMicros: Clocks.wallMicroseconds())
                current.outbox.drain()
                shared = nil
            }
        }
        return BrokerResult.success
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `<persistence_location>/conn-plugin-spool` when the broker has one, else a directory under
    /// /var/lib/mosquitto (Debian's persistence location) or /var/tmp.
    private static func defaultSpoolDirectory() -> String {
        if let location = cmosq_persistence_location().map({ String(cString: $0) }), !location.isEmpty {
            let base = location.hasSuffix("/") ? String(location.dropLast()) : location
            return (base.hasPrefix("/") ? base : currentDirectory() + "/" + base) + "/conn-plugin-spool"
        }
        if access("/var/lib/mosquitto", W_OK) == 0 { return "/var/lib/mosquitto/conn-plugin-spool" }
        return "/var/tmp/mosquitto-conn-plugin-spool"
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import Logging
import Storage
import SysIngest

/// Writes burst plans to PostgreSQL, one transaction per burst; owns the connection.
///
/// Lives on the writer thread only (PostgresConnection is not thread-safe).
final class PostgresWriter {
    private let dsn: String
    private let broker: String
    private let logger: Logger
    private let timeout: Duration
    private let interrupt: PostgresInterrupt?
    private var connection: PostgresConnection?

    private static let closeSession = PreparedStatement(name: "sys_close_session", sql: IngestSQL.closeSession)
    private static let openSession = PreparedStatement(name: "sys_open_session", sql: IngestSQL.openSession)
    private static let closeAll = PreparedStatement(name: "sys_close_all", sql: IngestSQL.closeAllSessions)
    private static let subscribe = PreparedStatement(name: "sys_subscribe", sql: IngestSQL.subscribe)
    private static let unsubscribe = PreparedStatement(name: "sys_unsubscribe", sql: IngestSQL.unsubscribe)
    private static let upsertClient = PreparedStatement(name: "sys_upsert_client", sql: IngestSQL.upsertClient)
    private static let touchClient = PreparedStatement(name: "sys_touch_client", sql: IngestSQL.touchClient)
    private static let insertEvents = PreparedStatement(name: "sys_insert_events", sql: IngestSQL.insertEvents)
    private static let insertMetrics = PreparedStatement(name: "sys_insert_metrics", sql: IngestSQL.insertMetrics)

    /// - Parameters:
    ///   - dsn: libpq connection string (never logged).
    ///   - broker: the `broker` column value.
    ///   - timeout: the longest one connect or one statement may take.
    ///   - interrupt: ends any wait for PostgreSQL at once when triggered (at stop).
    init(
        dsn: String, broker: String, logger: Logger, timeout: Duration = .seconds(15),
        interrupt: PostgresInterrupt? = nil
    ) {
        self.dsn = dsn
        self.broker = broker
        self.logger = logger
        self.timeout = timeout
        self.interrupt = interrupt
    }

    var isConnected: Bool { connection?.isOpen ?? false }

    /// Connects and applies the schema when one of its relations is missing.
    func connect() throws(PostgresError) {
        connection?.close()
        connection = nil
        let fresh = try PostgresConnection(conninfo: dsn, timeout: timeout, interrupt: interrupt)
        try ensureSchema(fresh)
        connection = fresh
    }

    func close() {
        connection?.close()
        connection = nil
    }

    private func ensureSchema(_ connection: PostgresConnection) throws(PostgresError) {
        var names = PostgresArrayLiteral()
        for name in IngestSchema.requiredRelations { names.append(name) }
        let missing = try connection.execute(IngestSQL.missingRelations, [names.value], timeout: timeout)
        guard !missing.values.isEmpty else { return }
        logger.info(
            "Creating the schema.", metadata: ["pg.missing": "\(missing.values.compactMap { $0.first ?? nil })"])
        do {
            try connection.execute("BEGIN", timeout: timeout)
            try connection.execute(IngestSQL.schemaLock, timeout: timeout)
            for (_, sql) in IngestSchema.all { try connection.execute(sql, timeout: timeout) }
            try connection.execute("COMMIT", timeout: timeout)
        } catch {
            rollback(connection)
            throw error
        }
    }

    /// The tracker's starting knowledge: open sessions and the last uptime of this broker.
    func loadTracker() throws(PostgresError) -> SessionTracker {
        let connection = try open()
        let clients = try connection.execute(IngestSQL.openClients, [.text(broker)], timeout: timeout)
        let uptime = try connection.execute(IngestSQL.lastUptime, [.text(broker)], timeout: timeout)
        var last: (value: Double, ts: Double)?
        if let row = uptime.values.first, row.count == 2, let value = row[0].flatMap(Double.init),
            let ts = row[1].flatMap(Double.init)
        {
            last = (value, ts)
        }
        let open = clients.values.compactMap { $0.first ?? nil }
        logger.debug("Loaded broker state.", metadata: ["sys.open_sessions": "\(open.count)"])
        return SessionTracker(openClients: open, lastUptime: last)
    }

    /// Writes one plan in one transaction.
    /// - Throws: `PostgresError`; the transaction is rolled back and nothing of the plan is kept.
    func write(_ plan: BurstPlan) throws(PostgresError) {
        guard !plan.isEmpty else { return }
        let connection = try open()
        // One pipeline: every statement of the burst in one round trip and one implicit
        // transaction (a failing statement aborts the rest, and nothing of the burst commits).
        var batch: [(PreparedStatement, [PostgresValue?])] = []
        appendClients(plan.clients, to: &batch)
        appendEvents(plan.events, to: &batch)
        appendMetrics(plan.metrics, to: &batch)
        var closeAllIndexes: [Int] = []
        for step in plan.steps {
            if case .closeAll = step { closeAllIndexes.append(batch.count) }
            appendStep(step, to: &batch)
        }
        let results = try connection.executePipeline(batch, timeout: timeout)
        for index in closeAllIndexes where index < results.count {
            logger.info(
                "Broker restart or shutdown: closed the sessions of the previous broker process.",
                metadata: ["sys.closed_sessions": "\(results[index].affectedRows)"])
        }
    }

    // MARK: - Statements

    private func appendClients(_ touches: [ClientTouch], to batch: inout [(PreparedStatement, [PostgresValue?])]) {
        for touch in touches {
            if touch.createIfMissing {
                batch.append((
                    Self.upsertClient,
                    [
                        .text(touch.client), touch.username.map(PostgresValue.text), .double(touch.firstSeen),
                        .double(touch.lastSeen), .bool(touch.setsUsername),
                    ]
                ))
            } else {
                batch.append((Self.touchClient, [.text(touch.client), .double(touch.lastSeen)]))
            }
        }
    }

    private func appendEvents(_ events: [BrokerLogEvent], to batch: inout [(PreparedStatement, [PostgresValue?])]) {
        guard !events.isEmpty else { return }
        var ts = PostgresArrayLiteral()
        var action = PostgresArrayLiteral()
        var client = PostgresArrayLiteral()
        var topic = PostgresArrayLiteral()
        var qos = PostgresArrayLiteral()
        var username = PostgresArrayLiteral()
        var raw = PostgresArrayLiteral()
        for event in events {
            ts.append(String(event.timestamp))
            action.append(event.action.rawValue)
            client.append(event.client)
            topic.append(event.topic)
            qos.append(event.qos.map(Int64.init))
            username.append(event.username)
            raw.append(event.raw)
        }
        batch.append((
            Self.insertEvents,
            [.text(broker), ts.value, action.value, client.value, topic.value, qos.value, username.value, raw.value]
        ))
    }

    private func appendMetrics(
        _ metrics: [(metric: String, value: Double, ts: Double)], to batch: inout [(PreparedStatement, [PostgresValue?])]
    ) {
        guard !metrics.isEmpty else { return }
        var names = PostgresArrayLiteral()
        var values = PostgresArrayLiteral()
        var times = PostgresArrayLiteral()
        for row in metrics {
            names.append(row.metric)
            values.append(String(row.value))
            times.append(String(row.ts))
        }
        batch.append((Self.insertMetrics, [.text(broker), names.value, values.value, times.value]))
    }

    private func appendStep(_ step: SessionStep, to batch: inout [(PreparedStatement, [PostgresValue?])]) {
        let broker = PostgresValue.text(self.broker)
        switch step {
        case .open(let client, let username, let at):
            batch.append((Self.closeSession, [broker, .text(client), .double(at)]))
            batch.append((Self.openSession, [broker, .text(client), username.map(PostgresValue.text), .double(at)]))
        case .close(let client, let at):
            batch.append((Self.closeSession, [broker, .text(client), .double(at)]))
        case .subscribe(let client, let topic, let qos, let at):
            batch.append((Self.subscribe, [broker, .text(client), .text(topic), .int(Int64(qos)), .double(at)]))
        case .unsubscribe(let client, let topic, let at):
            batch.append((Self.unsubscribe, [broker, .text(client), .text(topic), .double(at)]))
        case .closeAll(let keep, let at):
            var list = PostgresArrayLiteral()
            for client in keep { list.append(client) }
            batch.append((Self.closeAll, [broker, list.value, .double(at)]))
        }
    }

    // MARK: - Connection

    private func open() throws(PostgresError) -> PostgresConnection {
        guard let connection, connection.isOpen else {
            throw PostgresError(kind: .connection, message: "not connected")
        }
        return connection
    }

    private func rollback(_ connection: PostgresConnection) {
        guard connection.isOpen else { return }
        _ = try? connection.execute("ROLLBACK", timeout: timeout)
    }
}

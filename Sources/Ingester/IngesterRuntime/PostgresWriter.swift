import IngestCore
import Logging
import SchemaSQL
import Storage

/// Writes burst plans to PostgreSQL, one transaction per burst (with the plans of every broker
/// the burst holds); owns the one connection all brokers share.
///
/// Lives on the writer thread only (PostgresConnection is not thread-safe).
package final class PostgresWriter: IngestDatabase {
    private let dsn: String
    private let logger: Logger
    private let timeout: Duration
    private let interrupt: PostgresInterrupt?
    private var connection: PostgresConnection?

    /// - Parameters:
    ///   - dsn: libpq connection string (never logged).
    ///   - timeout: the longest one connect or one statement may take.
    ///   - interrupt: ends any wait for PostgreSQL at once when triggered (at stop).
    package init(
        dsn: String, logger: Logger, timeout: Duration = .seconds(15),
        interrupt: PostgresInterrupt? = nil
    ) {
        self.dsn = dsn
        self.logger = logger
        self.timeout = timeout
        self.interrupt = interrupt
    }

    package var isConnected: Bool { connection?.isOpen ?? false }

    /// Connects and applies the schema when one of its relations is missing.
    package func connect() throws(PostgresError) {
        connection?.close()
        connection = nil
        let fresh = try PostgresConnection(conninfo: dsn, timeout: timeout, interrupt: interrupt)
        try ensureSchema(fresh)
        connection = fresh
    }

    package func close() {
        connection?.close()
        connection = nil
    }

    /// Applies the files of schema/ whose relations are missing; one the server refuses fails the connection.
    private func ensureSchema(_ connection: PostgresConnection) throws(PostgresError) {
        let outcome = try SchemaSetup.ensure(IngestSchema.parts, on: connection, timeout: timeout)
        if !outcome.applied.isEmpty {
            logger.info("Created the schema.", metadata: ["pg.applied": "\(outcome.applied.map(\.file))"])
        }
        if let (part, error) = outcome.failed.first {
            throw PostgresError(
                kind: .statement, message: "could not apply \(part.file) (apply it as an owner): \(error.message)",
                sqlState: error.sqlState, detail: error.detail, hint: error.hint)
        }
    }

    /// The planner of `broker` as the database left it: its open sessions, its last uptime and
    /// when an ingester last heard it.
    /// - Parameter ownClientID: the ingester's client id at that broker (it gets no session).
    package func loadPlanner(broker: String, ownClientID: String) throws(PostgresError) -> BurstPlanner {
        let tracker = try loadTracker(broker: broker)
        let heard = try open().execute(LastHeard(broker: broker), timeout: timeout)
        return BurstPlanner(
            tracker: tracker, lastHeardMicros: heard.values.first?.first?.flatMap { Int64($0) }, ownClientID: ownClientID)
    }

    /// The tracker's starting knowledge: open sessions and the last uptime of `broker`.
    func loadTracker(broker: String) throws(PostgresError) -> SessionTracker {
        let connection = try open()
        let clients = try connection.execute(OpenClients(broker: broker), timeout: timeout)
        let uptime = try connection.execute(LastUptime(broker: broker), timeout: timeout)
        var last: (value: Double, atMicros: Int64)?
        if let row = uptime.values.first, row.count == 2, let value = row[0].flatMap(Double.init),
            let atMicros = row[1].flatMap({ Int64($0) })
        {
            last = (value, atMicros)
        }
        let open = clients.firstColumn
        logger.debug(
            "Loaded broker state.",
            metadata: ["sys.broker": "\(broker)", "sys.open_sessions": "\(open.count)"])
        return SessionTracker(openClients: open, lastUptime: last)
    }

    /// Writes the plans of one burst, one per broker, in one transaction.
    /// - Throws: `PostgresError`; the transaction is rolled back and nothing of the burst is kept.
    package func write(_ plans: [(broker: String, plan: BurstPlan)]) throws(PostgresError) {
        guard plans.contains(where: { !$0.plan.isEmpty }) else { return }
        let connection = try open()
        // One pipeline: every statement of the burst in one round trip and one implicit
        // transaction (a failing statement aborts the rest, and nothing of the burst commits).
        var batch: [any PostgresStatement] = []
        var closeAllIndexes: [(index: Int, broker: String)] = []
        for (broker, plan) in plans where !plan.isEmpty {
            batch += plan.clients.map { touch -> any PostgresStatement in
                touch.createIfMissing
                    ? UpsertClient(touch) : TouchClient(client: touch.client, lastSeenMicros: touch.lastSeenMicros)
            }
            if !plan.events.isEmpty { batch.append(InsertEvents(broker: broker, events: plan.events)) }
            if !plan.metrics.isEmpty {
                let samples = InsertMetrics(broker: broker, metrics: plan.metrics)
                batch.append(samples)
                // The rollups move with the samples, in the same transaction.
                batch.append(UpsertMetricRollup(samples))
            }
            for step in plan.steps {
                if case .closeAll = step { closeAllIndexes.append((batch.count, broker)) }
                batch += statements(for: step, broker: broker)
            }
            for gap in plan.gaps {
                if gap.kind == .brokerSilent, let end = gap.endedAtMicros {
                    batch.append(EndSilentGap(broker: broker, atMicros: end))
                } else {
                    batch.append(InsertGap(broker: broker, gap: gap))
                }
            }
            let newest = max(plan.metrics.map(\.atMicros).max() ?? 0, plan.events.map(\.timestampMicros).max() ?? 0)
            if newest > 0 { batch.append(TouchBrokerStatus(broker: broker, seenAtMicros: newest)) }
        }
        let results = try connection.executePipeline(batch, timeout: timeout)
        for (broker, plan) in plans {
            for gap in plan.gaps where gap.kind != .brokerSilent {
                let lasted = Double((gap.endedAtMicros ?? gap.startedAtMicros) - gap.startedAtMicros) / 1e6
                logger.warning(
                    "The broker's log lines of a gap may be missing; recorded in ingest_gaps.",
                    metadata: [
                        "sys.broker": "\(broker)", "sys.gap": "\(gap.kind.rawValue)",
                        "sys.gap_s": "\(Int(lasted.rounded()))",
                        "sys.closed_sessions": "\(gap.sessionsClosed)",
                    ])
            }
        }
        for (index, broker) in closeAllIndexes where index < results.count {
            logger.info(
                "Closed the sessions the broker no longer holds (its restart or shutdown) or that a gap in its log made unknowable.",
                metadata: [
                    "sys.broker": "\(broker)", "sys.closed_sessions": "\(results[index].affectedRows)",
                ])
        }
    }

    /// Marks `brokers` as heard at `ts` (epoch microseconds; a clean stop: the next process
    /// measures its gap from here).
    package func touch(brokers: [String], atMicros ts: Int64) throws(PostgresError) {
        guard !brokers.isEmpty else { return }
        _ = try open().executePipeline(brokers.map { TouchBrokerStatus(broker: $0, seenAtMicros: ts) }, timeout: timeout)
    }

    // MARK: - Statements

    /// The statements of one session step at `broker`, in order.
    private func statements(for step: SessionStep, broker: String) -> [any PostgresStatement] {
        switch step {
        case .open(let client, let username, let at):
            return [
                CloseSession(broker: broker, client: client, atMicros: at),
                OpenSession(broker: broker, client: client, username: username, atMicros: at),
            ]
        case .close(let client, let at):
            return [CloseSession(broker: broker, client: client, atMicros: at)]
        case .subscribe(let client, let topic, let qos, let at):
            return [Subscribe(broker: broker, client: client, topic: topic, qos: qos, atMicros: at)]
        case .unsubscribe(let client, let topic, let at):
            return [Unsubscribe(broker: broker, client: client, topic: topic, atMicros: at)]
        case .closeAll(let keep, let at):
            return [CloseAllSessions(broker: broker, keep: keep, atMicros: at)]
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

import Foundation
import IngestCore
import IngesterConfig
import Locking
import Logging
import SchemaSQL
import Maintenance
import Storage

/// Retention of the ingester's tables (--retention-days, --rollup-retention-days): at start, then
/// every --maintenance-interval, the Maintenance target's `RetentionJob` deletes what is older in
/// bounded steps. A thread and a PostgreSQL connection of its own, so bursts keep being written by
/// the writer meanwhile; one maintainer at a time among every ingester sharing the database
/// (advisory lock `MaintenanceLock.retentionKey`); a table the role may not delete from gets one
/// warning and is skipped, the rest goes on.
// @unchecked Sendable: `thread` is used only by start() and stop() (one thread), the other vars only by the maintainer's.
package final class RetentionMaintainer: @unchecked Sendable {
    private let settings: IngesterSettings
    private let interrupt: PostgresInterrupt
    private let logger: Logger
    private let timeout = Duration.seconds(15)
    /// `stopping`, and whether the thread has ended.
    private let control = ConditionLocked((stopping: false, finished: false))
    /// Set once the thread runs (detached: `stop()` waits on `control`, with a limit).
    private var thread: PosixThread?
    /// Touched by the maintainer's thread only.
    private var connection: RetentionConnection?
    private var job: RetentionJob

    package init(settings: IngesterSettings, interrupt: PostgresInterrupt, logger: Logger) {
        self.settings = settings
        self.interrupt = interrupt
        self.logger = logger
        self.job = RetentionJob(
            targets: Self.targets(settings),
            identity: RetentionJob.Identity(
                job: MaintenanceLock.retentionJob, lockKey: MaintenanceLock.retentionKey,
                runBy: "sys-ingester@\(ProcessInfo.processInfo.hostName)[\(getpid())]", peer: "ingester",
                role: "the ingester's role"),
            intervalSeconds: settings.maintenanceIntervalSeconds, logger: logger)
    }

    /// What a run prunes: each table with its retention (rollups have their own).
    static func targets(_ settings: IngesterSettings) -> [RetentionTarget] {
        var targets: [RetentionTarget] = []
        if settings.retentionDays > 0 {
            for table in [PruneStep.Table.brokerMetrics, .events, .sessions, .subscriptions] {
                targets.append(RetentionTarget(table: table.rawValue, days: settings.retentionDays))
            }
        }
        if settings.rollupRetentionDays > 0 {
            targets.append(RetentionTarget(table: PruneStep.Table.brokerMetricsRollup.rawValue, days: settings.rollupRetentionDays))
        }
        return targets
    }

    /// Starts the thread, unless no retention is configured.
    /// - Throws: `PosixThreadError` when the system refuses a thread.
    package func start() throws(PosixThreadError) {
        guard !job.targets.isEmpty else { return }
        let thread = try PosixThread.start { [self] in
            run()
            control.withLock { $0.finished = true }
            control.broadcast()
        }
        thread.detach()
        self.thread = thread
    }

    /// Ends the thread: a step in flight is abandoned by the stop's `PostgresInterrupt`.
    package func stop() {
        guard thread != nil else { return }
        control.withLock { $0.stopping = true }
        control.broadcast()
        control.withLock(when: { $0.finished }, untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(5))) { _, _ in }
    }

    private var stopping: Bool { control.withLock { $0.stopping } }

    /// Sleeps until `deadline` (monotonic microseconds) or a stop.
    private func sleep(untilMicroseconds deadline: Int64) {
        control.withLock(when: { $0.stopping }, untilMicroseconds: deadline) { _, _ in }
    }

    private func run() {
        while !stopping {
            let now = Clocks.monotonicMicroseconds()
            guard job.isDue(atMicroseconds: now) else {
                sleep(untilMicroseconds: now + job.microsecondsUntilDue(atMicroseconds: now))
                continue
            }
            do {
                let connection = try connected()
                // Waits (without counting a run) until the writer created the schema.
                if !job.isRunning, try !connection.hasTables(job.targets.map(\.table) + ["maintenance_runs"]) {
                    sleep(untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(1)))
                    continue
                }
                try job.step(on: connection, atMicroseconds: now)
            } catch {
                if error.kind == .interrupted || stopping { break }
                logger.warning(
                    "retention: PostgreSQL failed; the run is retried in a minute.", metadata: ["pg.error": "\(error)"])
                connection?.close()
                connection = nil
                job.connectionLost()
                sleep(untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(60)))
            }
        }
        job.interrupt(on: connection.flatMap { $0.isOpen ? $0 : nil }, reason: "the ingester stopped")
        connection?.close()
        connection = nil
    }

    private func connected() throws(PostgresError) -> RetentionConnection {
        if let connection, connection.isOpen { return connection }
        let fresh = RetentionConnection(
            connection: try PostgresConnection(conninfo: settings.dsn, timeout: timeout, interrupt: interrupt),
            timeout: timeout)
        connection = fresh
        return fresh
    }
}

/// The maintainer's connection as `RetentionJob` uses it: the shared lock and run record, and
/// the ingester's prune statements (`PruneStep`).
private final class RetentionConnection: MaintenanceDatabase {
    let connection: PostgresConnection
    let timeout: Duration

    init(connection: PostgresConnection, timeout: Duration) {
        self.connection = connection
        self.timeout = timeout
    }

    var isOpen: Bool { connection.isOpen }

    func close() { connection.close() }

    func hasTables(_ names: [String]) throws(PostgresError) -> Bool {
        try connection.execute(MissingRelations(names), timeout: timeout).values.isEmpty
    }

    func tryAdvisoryLock(key: Int64) throws(PostgresError) -> Bool { try connection.tryAdvisoryLock(key: key, timeout: timeout) }

    func advisoryUnlock(key: Int64) { connection.advisoryUnlock(key: key, timeout: timeout) }

    func startMaintenanceRun(job: String, runBy: String) throws(PostgresError) -> Int64? {
        try connection.startMaintenanceRun(job: job, runBy: runBy, timeout: timeout)
    }

    func finishMaintenanceRun(id: Int64, rowsDeleted: Int64, outcome: String, detail: String?) throws(PostgresError) {
        try connection.finishMaintenanceRun(id: id, rowsDeleted: rowsDeleted, outcome: outcome, detail: detail, timeout: timeout)
    }

    func prune(_ target: RetentionTarget, limit: Int) throws(PostgresError) -> Int {
        guard let table = PruneStep.Table(rawValue: target.table) else { return 0 }
        let step = PruneStep(table: table, days: target.days, limit: limit)
        return try connection.execute(step, timeout: timeout).affectedRows
    }
}

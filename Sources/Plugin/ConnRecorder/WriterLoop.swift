import Locking
import Logging
import Maintenance
import Storage

/// The writer thread: owns the database connection and the disk spool, and drains the shared
/// FIFO into PostgreSQL. Its jobs live in one file each: connecting and backing off
/// (WriterLoop+Connection), the spare connection of sync mode (+SpareConnection), the spool
/// (+Spool), batch writes and dead letters (+Batches), closing what a crashed run left open
/// (+StaleSessions), the broker's liveness and kept sessions (+Presence), and retention
/// (+Maintenance).
///
/// Everything stored here belongs to the writer thread alone; what it shares with the broker's
/// thread is `shared`.
final class WriterLoop {
    let options: ConnPluginOptions
    let logger: Logger
    let bootID: String
    let store: any ConnEventStore
    let shared: ConditionLocked<WriterState>
    var spool: EventSpool?
    var connection: (any ConnEventStoreConnection)?
    var staleSessionsChecked = false
    var backoffMilliseconds = 0
    var lastFailureMessage: String?
    /// Monotonic time before which the writer does not try to open the spare connection again.
    var spareRetryAt: Int64 = 0
    /// When this run started (broker_status.started_at), epoch microseconds.
    let startedAtMicros = Clocks.wallMicroseconds()
    /// Monotonic time of the next broker_status heartbeat.
    var nextHeartbeatAt: Int64 = 0
    var heartbeatFailureLogged = false
    var keptSessionsLoaded = false
    /// Counts the connections this writer opened: a maintenance run belongs to one of them (its
    /// advisory lock goes with it).
    var connectionGeneration = 0
    /// Retention of client_conn_events, one bounded step per turn of the loop (WriterLoop+Maintenance).
    var retention: RetentionJob
    /// client_daily_stats, folded from this broker's rows every second (WriterLoop+DailyStats).
    var dailyStats: DailyStatsFolding
    /// Events per statement, following how long statements take (WriterLoop+Batches).
    var batchSizer: BatchSizer
    /// Gives a drained backlog's memory back to the system (WriterLoop+Batches, +Spool).
    var heapRelease = HeapRelease()

    init(
        options: ConnPluginOptions, logger: Logger, bootID: String, store: any ConnEventStore, spool: EventSpool?,
        shared: ConditionLocked<WriterState>
    ) {
        self.options = options
        self.logger = logger
        self.bootID = bootID
        self.store = store
        self.spool = spool
        self.shared = shared
        self.retention = RetentionJob(
            targets: options.retentionDays > 0
                ? [RetentionTarget(table: ConnStatements.retentionTable, days: options.retentionDays)] : [],
            identity: RetentionJob.Identity(
                job: ConnStatements.retentionJob, lockKey: ConnStatements.retentionLockKey, runBy: options.brokerID,
                peer: "plugin", role: "the plugin's role"),
            intervalSeconds: options.maintenanceIntervalSeconds, logger: logger)
        self.batchSizer = BatchSizer(
            smallest: min(50, options.batchSize), initial: options.batchSize * 4, largest: max(options.batchSize * 20, 10_000),
            timeoutMicros: Int64(options.timeoutMilliseconds) * 1000)
        self.dailyStats = DailyStatsFolding(
            plan: DailyStatsFoldPlan(settleMicroseconds: Self.dailyStatsSettleMicroseconds(timeout: .milliseconds(options.timeoutMilliseconds))))
    }

    var spoolIsEmpty: Bool { spool?.isEmpty ?? true }

    /// The thread's body: returns once a stop was requested and everything is written or spooled.
    func run() {
        let flushDeadlineSlack = Duration.seconds(5).microseconds
        var stopDeadline: Int64?
        while true {
            let (work, isStopping) = waitForWork()
            // Idle: whatever a backlog used is freed by now (queue buffer, batches, spool reads).
            if !work { heapRelease.trimIfDue(atMicroseconds: Clocks.monotonicMicroseconds()) }
            if isStopping {
                let now = Clocks.monotonicMicroseconds()
                if stopDeadline == nil { stopDeadline = now + flushDeadlineSlack }
                if !work || now >= (stopDeadline ?? now) || !(connection?.isOpen ?? false) && backoffMilliseconds > 0 {
                    spoolMemory()
                    break
                }
            }
            guard ensureConnection() else {
                spoolMemory()
                if isStopping { break }
                sleepBackoff()
                continue
            }
            if !staleSessionsChecked && spoolIsEmpty {
                closeStaleSessions()
                continue
            }
            if !keptSessionsLoaded && staleSessionsChecked { loadKeptSessions() }
            heartbeatIfDue()
            foldDailyStatsIfDue()
            // One bounded step at most, then a batch: event writes never wait for a whole run.
            maintainIfDue()
            guard work else {
                prepareSpareConnection()
                continue
            }
            if !writeNextBatch() {
                spoolMemory()
                if isStopping { break }
                sleepBackoff()
            }
        }
        retention.interrupt(on: connection.flatMap { $0.isOpen ? $0 : nil }, reason: "the broker stopped")
        dropSpareConnection()
        foldDailyStatsAtStop(deadline: Clocks.monotonicDeadline(after: .milliseconds(500)))
        recordCleanStop()
        connection?.close()
        connection = nil
        dropSpareConnection()
        spool?.close()
        shared.withLock { state in
            state.databaseUp = false
            state.finished = true
        }
        shared.broadcast()
    }

    /// Sleeps while there is nothing to do (at most 1 s, to re-check the connection).
    /// - Returns: whether events wait (in memory or spooled), and whether a stop was requested.
    private func waitForWork() -> (work: Bool, stopping: Bool) {
        let spoolEmpty = spoolIsEmpty
        let idleAllowed = staleSessionsChecked
        // A retention run goes on without sleeping between steps (and yields to events each step).
        let maintaining = retention.isRunning && (connection?.isOpen ?? false)
        var slept = false
        return shared.withLock { (state, _) -> ConditionLocked<WriterState>.Step<(work: Bool, stopping: Bool)> in
            let idle = state.queuedCount == 0 && !state.stopping && spoolEmpty && (idleAllowed || state.databaseUp)
                && !maintaining
            if idle && !slept {
                slept = true
                state.writerWaiting = true
                return .wait(untilMicroseconds: Clocks.monotonicDeadline(after: .seconds(1)))
            }
            state.writerWaiting = false
            return .done((state.queuedCount > 0 || !spoolEmpty, state.stopping))
        }
    }
}

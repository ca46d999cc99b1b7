import Locking
import Logging
import Storage

/// The writer's side of client_daily_stats: where its broker's fold stands and what it has read.
struct DailyStatsFolding {
    /// Every row of this broker with an id up to here is counted; nil until read on this connection.
    var foldedThrough: Int64?
    /// The writer connection it was read on (`WriterLoop.connectionGeneration`).
    var connectionGeneration = 0
    /// False where schema/031_daily_stats_folds.sql is not applied: no statistics are kept.
    var available = true
    var plan: DailyStatsFoldPlan
    var nextCheckAt: Int64 = 0
    /// Ids one fold statement spans at most, so it ends well within the statement timeout;
    /// halved when the timeout cuts a fold short, grown back after each fold that succeeds.
    var span: Int64 = DailyStatsFolding.largestSpan
    var failureLogged = false

    static let largestSpan: Int64 = 50_000
    static let smallestSpan: Int64 = 500
}

extension WriterLoop {
    /// How often the writer looks for rows to fold.
    static let dailyStatsFoldIntervalMicroseconds: Int64 = 1_000_000

    /// How long a newly read id may still be overtaken by a lower one: a write on either of the
    /// plugin's connections (or, after a crash, on the old run's) ends within its statement
    /// timeout; twice that and a second cover the commit after it and the server's own delay.
    static func dailyStatsSettleMicroseconds(timeout: Duration) -> Int64 {
        2 * timeout.microseconds + 1_000_000
    }

    /// Folds this broker's rows into client_daily_stats, off the events' transactions: every second,
    /// through the newest id read at least the settle time ago, in one set-based statement that moves
    /// the fold in the same transaction (exactly once across crashes, replays and restarts).
    func foldDailyStatsIfDue() {
        let now = Clocks.monotonicMicroseconds()
        guard now >= dailyStats.nextCheckAt, let connection, connection.isOpen else { return }
        // The fold shares this thread and connection with event writes: while a backlog is being
        // caught up (a spool replay, a deep queue) events go first and the statistics wait longer.
        let backlog = !spoolIsEmpty || shared.withLock { $0.queuedCount } > options.batchSize * 4
        dailyStats.nextCheckAt = now + Self.dailyStatsFoldIntervalMicroseconds * (backlog ? 10 : 1)
        do {
            guard let foldedThrough = try currentFold(on: connection) else { return }
            if let settled = dailyStats.plan.settledThrough(foldedThrough: foldedThrough, atMicroseconds: now) {
                let through = min(settled, foldedThrough + dailyStats.span)
                try fold(after: foldedThrough, through: through, on: connection)
                dailyStats.span = min(DailyStatsFolding.largestSpan, dailyStats.span + dailyStats.span / 4)
                // More rows settled than one fold spans: the next part at the next turn of the loop.
                if through < settled && !backlog { dailyStats.nextCheckAt = now }
            }
            dailyStats.plan.noteNewest(try connection.newestEventID(), atMicroseconds: Clocks.monotonicMicroseconds())
            dailyStats.failureLogged = false
        } catch let error where error.sqlState == .queryCanceled && dailyStats.span > DailyStatsFolding.smallestSpan {
            // statement_timeout (timeout_ms) ended the fold: the database is busy; smaller folds.
            dailyStats.span = max(DailyStatsFolding.smallestSpan, dailyStats.span / 2)
            dailyStats.foldedThrough = nil
        } catch let error where error.kind == .statement {
            dailyStats.foldedThrough = nil
            if !dailyStats.failureLogged {
                dailyStats.failureLogged = true
                logger.warning(
                    "could not fold this broker's events into client_daily_stats; retried every second, nothing is counted twice.",
                    metadata: ["pg.error": "\(error)"])
            }
        } catch {
            abandonConnection(after: error)
        }
    }

    /// Reads (the first time: creates) where this broker's fold stands, on a new writer connection.
    /// - Returns: false when the connection failed (it is abandoned).
    func startDailyStatsFold() -> Bool {
        guard let connection else { return false }
        do {
            _ = try currentFold(on: connection)
        } catch let error where error.kind == .statement {
            logger.warning(
                "could not read where client_daily_stats stands; events are written, counting is retried.",
                metadata: ["pg.error": "\(error)"])
        } catch {
            abandonConnection(after: error)
            return false
        }
        return true
    }

    /// At a clean stop, once nothing of this broker is in flight (the broker's thread writes no
    /// more and the spare connection is closed): folds through the newest row at once, so the
    /// statistics of a stopped broker are complete.
    /// - Parameter deadline: monotonic time after which the rest waits for the next start.
    func foldDailyStatsAtStop(deadline: Int64) {
        guard let connection, connection.isOpen else { return }
        do {
            guard let foldedThrough = try currentFold(on: connection) else { return }
            var after = foldedThrough
            let newest = try connection.newestEventID()
            while after < newest, Clocks.monotonicMicroseconds() < deadline {
                let through = min(newest, after + dailyStats.span)
                try fold(after: after, through: through, on: connection)
                guard let moved = dailyStats.foldedThrough else { return }
                after = moved
            }
        } catch {
            logger.debug("no final fold of client_daily_stats; the next start counts the rest.", metadata: ["pg.error": "\(error)"])
        }
    }

    /// Where the fold stands, read once per connection; nil where no statistics are kept.
    private func currentFold(on connection: any ConnEventStoreConnection) throws(PostgresError) -> Int64? {
        if dailyStats.connectionGeneration != connectionGeneration {
            dailyStats.connectionGeneration = connectionGeneration
            dailyStats.foldedThrough = nil
            dailyStats.available = true
        }
        guard dailyStats.available else { return nil }
        if let foldedThrough = dailyStats.foldedThrough { return foldedThrough }
        guard let foldedThrough = try connection.startDailyStatsFold(brokerID: options.brokerID) else {
            dailyStats.available = false
            return nil
        }
        dailyStats.foldedThrough = foldedThrough
        return foldedThrough
    }

    private func fold(after: Int64, through: Int64, on connection: any ConnEventStoreConnection) throws(PostgresError) {
        let result = try connection.foldDailyStats(brokerID: options.brokerID, after: after, through: through)
        // Not advanced: another run of this broker id moved the fold; read where it stands next time.
        dailyStats.foldedThrough = result.advanced ? through : nil
        if result.advanced { dailyStats.plan.folded(through: through) }
    }
}

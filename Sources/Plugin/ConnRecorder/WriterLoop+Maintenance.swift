import Locking
import Logging
import Storage

/// A retention run in progress on the writer's connection, which holds the job's advisory lock.
struct RetentionRun {
    /// Its maintenance_runs row, when the table exists and the role may write it.
    var recordID: Int64?
    var rowsDeleted: Int64 = 0
    /// Rows per DELETE; halved when statement_timeout (timeout_ms) cuts a step short.
    var stepRows: Int
    /// The writer connection that took the lock (`WriterLoop.connectionGeneration`): a newer
    /// connection does not hold it, so the run cannot go on there.
    let connectionGeneration: Int
}

extension WriterLoop {
    /// Rows one retention step deletes at most: small enough to commit well within the default
    /// timeout_ms, so pending event batches (written between steps) wait for one step at most.
    static let retentionStepRows = 5000
    static let retentionSmallestStepRows = 100

    /// Retention of client_conn_events (`retentionDays` > 0): when a run is due (once connected
    /// at start, then every maintenance interval) takes the job's advisory lock, shared by every
    /// plugin on the database, and then deletes in bounded steps, one per turn of the writer's
    /// loop, so event batches are written between steps. Never on the broker's thread.
    func maintainIfDue() {
        guard options.retentionDays > 0, let connection, connection.isOpen else { return }
        if let run = retentionRun {
            guard run.connectionGeneration == connectionGeneration else {
                // The connection, and the lock with it, was lost in the middle of the run.
                retentionRun = nil
                if let id = run.recordID {
                    try? connection.finishMaintenanceRun(
                        id: id, rowsDeleted: run.rowsDeleted, outcome: "interrupted",
                        detail: "the writer's connection to PostgreSQL was lost")
                }
                return
            }
            retentionStep(run, on: connection)
            return
        }
        let now = Clocks.monotonicNanoseconds()
        guard maintenanceSchedule.isDue(atNanoseconds: now) else { return }
        maintenanceSchedule.runStarted(atNanoseconds: now)
        startRetentionRun(on: connection)
    }

    private func startRetentionRun(on connection: any ConnEventStoreConnection) {
        let locked: Bool
        do {
            locked = try connection.tryLockMaintenance(key: ConnStatements.retentionLockKey)
        } catch let error where error.kind == .statement {
            logger.warning("retention: could not take the maintenance lock; this run is skipped.", metadata: ["pg.error": "\(error)"])
            return
        } catch {
            abandonConnection(after: error)
            return
        }
        guard locked else {
            logger.info(
                "retention: another plugin on this database holds the maintenance lock and prunes client_conn_events; this run is skipped.",
                metadata: ["lock_key": "\(ConnStatements.retentionLockKey)"])
            return
        }
        var recordID: Int64?
        do {
            recordID = try connection.startMaintenanceRun(job: ConnStatements.retentionJob, runBy: options.brokerID)
        } catch {
            // Pruning does not depend on the record; a missing INSERT right on maintenance_runs is no reason to stop.
            logger.debug("retention: the run is not recorded in maintenance_runs.", metadata: ["pg.error": "\(error)"])
        }
        retentionRun = RetentionRun(
            recordID: recordID, stepRows: Self.retentionStepRows, connectionGeneration: connectionGeneration)
    }

    private func retentionStep(_ current: RetentionRun, on connection: any ConnEventStoreConnection) {
        var run = current
        do {
            let deleted = try connection.pruneConnEvents(retentionDays: options.retentionDays, limit: run.stepRows)
            run.rowsDeleted += Int64(deleted)
            retentionRun = run
            if deleted < run.stepRows { endRetentionRun(outcome: "done", detail: nil) }
        } catch let error where error.sqlState == .insufficientPrivilege {
            let detail = "this role lacks the DELETE right on table client_conn_events"
            if !retentionPrivilegeWarned {
                retentionPrivilegeWarned = true
                logger.warning(
                    "retention: \(detail), so rows older than \(options.retentionDays) days are kept; everything else keeps working. Grant it: GRANT DELETE ON client_conn_events TO <the plugin's role>.")
            }
            endRetentionRun(outcome: "no_privilege", detail: detail)
        } catch let error where error.sqlState == .queryCanceled && run.stepRows > Self.retentionSmallestStepRows {
            // statement_timeout (timeout_ms) ended the step: the table is busy or large; smaller steps.
            run.stepRows = max(Self.retentionSmallestStepRows, run.stepRows / 2)
            retentionRun = run
        } catch let error where error.kind == .statement {
            logger.warning("retention: a pruning step failed; this run ends.", metadata: ["pg.error": "\(error)"])
            endRetentionRun(outcome: "failed", detail: "\(error)")
        } catch {
            // The run stays: on the next connection maintainIfDue records it as interrupted.
            abandonConnection(after: error)
        }
    }

    /// Ends the run in progress, if any: records how it ended and releases the lock.
    func endRetentionRun(outcome: String, detail: String?) {
        guard let run = retentionRun else { return }
        retentionRun = nil
        guard let connection, connection.isOpen, run.connectionGeneration == connectionGeneration else { return }
        if let id = run.recordID {
            try? connection.finishMaintenanceRun(id: id, rowsDeleted: run.rowsDeleted, outcome: outcome, detail: detail)
        }
        connection.unlockMaintenance(key: ConnStatements.retentionLockKey)
        if outcome == "done" {
            logger.info(
                "retention: deleted \(run.rowsDeleted) rows of client_conn_events older than \(options.retentionDays) days.",
                metadata: ["broker_id": "\(options.brokerID)"])
        }
    }
}

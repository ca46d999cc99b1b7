import Maintenance
import Storage

/// The database as the writer sees it: where events are committed, and what an earlier run left
/// open. `PostgresEventStore` in the plugin; unit tests give the writer a scripted fake, so its
/// ordering, spool and suspension rules are testable without PostgreSQL.
package protocol ConnEventStore: Sendable {
    /// A connection for the writer thread: schema checked (created when missing), statement
    /// limits set, and this run's liveness lock (see `lockRun`) held for as long as it is open.
    func openWriterConnection(bootID: String) throws(PostgresError) -> any ConnEventStoreConnection

    /// A connection with the write statement ready, for the broker's thread to borrow in sync mode.
    func openSpareConnection() throws(PostgresError) -> any ConnEventStoreConnection
}

/// One open connection of a `ConnEventStore`, used by one thread at a time. Retention runs on it
/// through `MaintenanceDatabase` (the lock, the run record, `prune` of client_conn_events).
package protocol ConnEventStoreConnection: MaintenanceDatabase {
    var isOpen: Bool { get }

    /// Commits `events` in one statement (idempotent by event key where the index exists).
    /// Throws `PostgresError`; `isPermanentForData` marks a batch the server rejected as data.
    func write(_ events: [ConnEvent]) throws(PostgresError)

    /// Runs (boot ids) of broker `brokerID`, other than `bootID`, that still show clients connected.
    func runsWithOpenSessions(brokerID: String, excluding bootID: String) throws(PostgresError) -> [String]

    /// Takes the liveness lock of run `run`: false while that run's writer is still connected.
    /// Every run holds its own on its writer connection, so taking another run's lock succeeds
    /// only when that run's connection is gone: it crashed or was killed. A second broker that
    /// shares the broker id therefore never closes the sessions of one that is still running.
    func lockRun(_ run: String) throws(PostgresError) -> Bool

    func unlockRun(_ run: String)

    /// The clients run `run` of broker `brokerID` left shown connected, oldest client id first.
    func sessionsLeftOpen(brokerID: String, run: String) throws(PostgresError) -> [SessionLeftOpen]

    /// Records that this broker is alive, or stopped cleanly, in broker_status. Does nothing where
    /// schema/003_presence.sql is not applied.
    func recordHeartbeat(_ heartbeat: BrokerHeartbeat) throws(PostgresError)

    /// Clients whose MQTT session broker `brokerID` held when last heard of (state kept).
    func keptSessions(brokerID: String) throws(PostgresError) -> [String]

    /// Where broker `brokerID`'s daily-statistics fold stands: every row of it with an id up to the
    /// answer is counted in client_daily_stats. nil where schema/031_daily_stats_folds.sql is not
    /// applied (no statistics are kept).
    func startDailyStatsFold(brokerID: String) throws(PostgresError) -> Int64?

    /// The newest id of client_conn_events.
    func newestEventID() throws(PostgresError) -> Int64

    /// Counts broker `brokerID`'s rows with `after < id <= through` into client_daily_stats and
    /// moves its fold to `through`, in one transaction; nothing when the fold no longer stands at
    /// `after` (another run of the broker moved it).
    func foldDailyStats(brokerID: String, after: Int64, through: Int64) throws(PostgresError) -> DailyStatsFold

    func close()
}

/// What one `foldDailyStats` did.
package struct DailyStatsFold: Sendable, Equatable {
    /// The fold moved; false when it no longer stood where the caller thought.
    package var advanced: Bool
    package var rowsCounted: Int

    package init(advanced: Bool, rowsCounted: Int) {
        self.advanced = advanced
        self.rowsCounted = rowsCounted
    }
}

/// One broker_status write.
package struct BrokerHeartbeat: Sendable, Equatable {
    package var brokerID: String
    package var bootID: String
    package var startedAtMicros: Int64
    /// Seconds until the next heartbeat; a reader calls the broker silent after three of them.
    package var intervalSeconds: Int
    /// The last heartbeat of a clean stop.
    package var stopping: Bool
    package var pluginVersion: String

    package init(
        brokerID: String, bootID: String, startedAtMicros: Int64, intervalSeconds: Int, stopping: Bool,
        pluginVersion: String
    ) {
        self.brokerID = brokerID
        self.bootID = bootID
        self.startedAtMicros = startedAtMicros
        self.intervalSeconds = intervalSeconds
        self.stopping = stopping
        self.pluginVersion = pluginVersion
    }
}

/// A client an earlier run of this broker left shown as connected.
package struct SessionLeftOpen: Sendable, Equatable {
    package var clientID: String
    package var username: String?
    package var peer: String?
    package var `protocol`: String?
    /// The latest time that run is known to have been alive (its newest event), epoch microseconds.
    package var lastAliveMicros: Int64
    package var connectionSequence: Int64

    package init(
        clientID: String, username: String?, peer: String?, protocol: String?, lastAliveMicros: Int64,
        connectionSequence: Int64
    ) {
        self.clientID = clientID
        self.username = username
        self.peer = peer
        self.protocol = `protocol`
        self.lastAliveMicros = lastAliveMicros
        self.connectionSequence = connectionSequence
    }
}

/// The plugin's counters, published under `$SYS/broker/conn-plugin/` (see docs/events.md).
package struct RecorderStatus: Sendable, Equatable {
    /// Connects and disconnects the plugin decided to record.
    package var eventsSeen: Int64 = 0
    /// Events committed to PostgreSQL (replays included).
    package var eventsWritten: Int64 = 0
    /// Events waiting in memory right now.
    package var eventsQueued: Int64 = 0
    /// Events moved to the disk spool (cumulative).
    package var eventsSpooled: Int64 = 0
    /// Bytes in the disk spool right now.
    package var spoolBytes: Int64 = 0
    /// Events lost: memory queue and spool both full, or the spool unwritable (cumulative).
    package var eventsDropped: Int64 = 0
    /// Events PostgreSQL rejected as malformed, written to the dead-letter file (cumulative).
    package var eventsDeadLettered: Int64 = 0
    package var databaseConnected: Bool = false
    /// Duration of the last successful write statement, in microseconds.
    package var lastWriteLatencyMicros: Int64 = 0
    /// Events written per statement, last batch.
    package var lastBatchSize: Int64 = 0
    /// Sync mode: events for which the broker's thread waited for the commit (cumulative).
    package var brokerWaits: Int64 = 0
    /// Sync mode: waits that ended at timeout_ms; the broker's thread then stops waiting until
    /// the writer has caught up (cumulative).
    package var brokerWaitTimeouts: Int64 = 0
    /// Sync mode: total and longest time the broker's thread spent waiting, in microseconds.
    package var brokerWaitMicrosTotal: Int64 = 0
    package var brokerWaitMicrosMax: Int64 = 0

    package init() {}

    /// `(topic suffix, value)` pairs, as published.
    package var metrics: [(String, String)] {
        [
            ("events/seen", String(eventsSeen)), ("events/written", String(eventsWritten)),
            ("events/queued", String(eventsQueued)), ("events/spooled", String(eventsSpooled)),
            ("spool/bytes", String(spoolBytes)), ("events/dropped", String(eventsDropped)),
            ("events/dead-lettered", String(eventsDeadLettered)),
            ("database/connected", databaseConnected ? "1" : "0"),
            ("write/latency-us", String(lastWriteLatencyMicros)), ("write/batch-size", String(lastBatchSize)),
            ("broker-wait/count", String(brokerWaits)), ("broker-wait/timeouts", String(brokerWaitTimeouts)),
            ("broker-wait/total-us", String(brokerWaitMicrosTotal)), ("broker-wait/max-us", String(brokerWaitMicrosMax)),
        ]
    }
}

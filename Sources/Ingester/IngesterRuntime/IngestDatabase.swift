import IngestCore
import Storage

/// What the ingest loop needs from the database: the seam between the loop's rules (bursts,
/// retries, the stop's flush; unit-tested) and libpq. `PostgresWriter` is the real one; the unit
/// tests use a fake that keeps the bursts it was given and fails when told to.
///
/// Used by the loop's thread only (a libpq connection is not thread-safe), hence not `Sendable`.
package protocol IngestDatabase: AnyObject {
    /// Whether the connection is open (as far as the last call could tell).
    var isConnected: Bool { get }
    /// Opens a fresh connection (closing the old one) and creates the schema if it is missing.
    /// - Throws: `PostgresError`; the database is then not connected.
    func connect() throws(PostgresError)
    /// The planner of `broker` as the database left it: its open sessions, its last uptime and
    /// when an ingester last heard it.
    /// - Parameter ownClientID: the ingester's client id at that broker (it gets no session).
    /// - Throws: `PostgresError`.
    func loadPlanner(broker: String, ownClientID: String) throws(PostgresError) -> BurstPlanner
    /// Writes the plans of one burst, one per broker, in one transaction.
    /// - Throws: `PostgresError`; then nothing of the burst is kept.
    func write(_ plans: [(broker: String, plan: BurstPlan)]) throws(PostgresError)
    /// Marks `brokers` as heard at `ts` (epoch microseconds; a clean stop: the next process
    /// measures its gap from here).
    /// - Throws: `PostgresError`.
    func touch(brokers: [String], atMicros ts: Int64) throws(PostgresError)
    /// Closes the connection.
    func close()
}

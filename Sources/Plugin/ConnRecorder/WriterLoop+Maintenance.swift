import Locking
import Maintenance

extension WriterLoop {
    /// Retention of client_conn_events (`retentionDays` > 0), run by the Maintenance target's
    /// `RetentionJob`: when a run is due (once connected at start, then every maintenance
    /// interval) it takes the job's advisory lock, shared by every plugin on the database, and
    /// then deletes in bounded steps, one per turn of the writer's loop, so event batches are
    /// written between steps. Never on the broker's thread.
    func maintainIfDue() {
        guard let connection, connection.isOpen else { return }
        do {
            try retention.step(on: connection, atMicroseconds: Clocks.monotonicMicroseconds())
        } catch {
            abandonConnection(after: error)
        }
    }
}

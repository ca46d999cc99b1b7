/// When the writer may count its broker's newest rows in client_daily_stats, and up to which id.
///
/// Ids are taken when a row is inserted, not when its transaction commits, so a row with a lower id
/// can become visible after one with a higher id: in sync mode the broker's thread writes on its own
/// connection while the writer writes on another. A fold up to "the newest id seen" would then skip
/// that row for ever. Every statement of the plugin ends within its statement_timeout, so an id read
/// at time t is safe to fold through once `settle` has passed: every row with a lower id is then
/// committed or will never be. The plan keeps the ids read and says which one has settled. Pure
/// logic, no clock or database of its own (unit-tested).
struct DailyStatsFoldPlan: Equatable {
    /// How long after reading an id the plan waits before folding through it.
    let settleMicroseconds: Int64
    /// Ids read, oldest first, with the monotonic time they were read.
    private(set) var readings: [Reading] = []
    static let capacity = 64

    struct Reading: Equatable {
        var id: Int64
        var readAtMicroseconds: Int64
    }

    init(settleMicroseconds: Int64) {
        self.settleMicroseconds = settleMicroseconds
    }

    /// Notes the newest id of the table as read at `now`.
    mutating func noteNewest(_ id: Int64, atMicroseconds now: Int64) {
        if let last = readings.last, last.id >= id { return }
        // At most 64 readings, and the oldest are kept: they settle first. Dropping them instead
        // meant that under steady load (a reading a second) with a settle time over ~64 s
        // (conn_timeout_ms over ~31 s) no kept reading ever settled and nothing was folded. When
        // full, the newest reading moves forward to this id and time (later, so still safe).
        if readings.count >= Self.capacity {
            readings[readings.count - 1] = Reading(id: id, readAtMicroseconds: now)
        } else {
            readings.append(Reading(id: id, readAtMicroseconds: now))
        }
    }

    /// The highest id read that has settled by `now` and lies beyond `foldedThrough`, if any.
    func settledThrough(foldedThrough: Int64, atMicroseconds now: Int64) -> Int64? {
        let settled = readings.last { $0.readAtMicroseconds + settleMicroseconds <= now }?.id
        guard let settled, settled > foldedThrough else { return nil }
        return settled
    }

    /// Forgets the readings at or below `id` (folded).
    mutating func folded(through id: Int64) {
        readings.removeAll { $0.id <= id }
    }
}

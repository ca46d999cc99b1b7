/// When a periodic maintenance job (retention) is due: at once when nothing ran yet (at start),
/// then `interval` after the previous run started. A run longer than the interval is followed
/// by the next one as soon as it ends, so the job runs at least once per interval.
///
/// Pure and on the monotonic clock (`Clocks.monotonicMicroseconds`): the wall clock may jump.
package struct MaintenanceSchedule: Sendable, Equatable {
    package let intervalMicroseconds: Int64
    /// nil until the first run started.
    package private(set) var nextDueAtMicroseconds: Int64?

    package init(intervalSeconds: Int) {
        intervalMicroseconds = Int64(max(1, intervalSeconds)) * 1_000_000
    }

    package func isDue(atMicroseconds now: Int64) -> Bool {
        guard let nextDueAtMicroseconds else { return true }
        return now >= nextDueAtMicroseconds
    }

    /// How long until the next run is due from `now`; 0 when it is due.
    package func microsecondsUntilDue(atMicroseconds now: Int64) -> Int64 {
        guard let nextDueAtMicroseconds else { return 0 }
        return max(0, nextDueAtMicroseconds - now)
    }

    /// A run started at `now`: the next is due one interval later.
    package mutating func runStarted(atMicroseconds now: Int64) {
        nextDueAtMicroseconds = now + intervalMicroseconds
    }
}

/// How many events the writer puts in one statement. Larger batches cost the database less per
/// event, but a statement cut short by statement_timeout (timeout_ms) costs a retry and, when the
/// writer gave up first, a reconnect: under live load a 2,000-event replay batch took longer than
/// the default 1,000 ms. So the size follows the time statements take: it grows while they end
/// well inside the timeout, and halves when one takes a quarter of it or more, or times out.
/// Pure logic (unit-tested).
struct BatchSizer: Equatable {
    let smallest: Int
    let largest: Int
    /// The statement limit, microseconds.
    let timeoutMicros: Int64
    private(set) var limit: Int

    init(smallest: Int, initial: Int, largest: Int, timeoutMicros: Int64) {
        self.smallest = max(1, smallest)
        self.largest = max(self.smallest, largest)
        self.timeoutMicros = timeoutMicros
        self.limit = min(max(initial, self.smallest), self.largest)
    }

    /// A statement of `count` events committed in `latencyMicros`.
    mutating func committed(count: Int, latencyMicros: Int64) {
        if latencyMicros * 4 >= timeoutMicros {
            limit = max(smallest, limit / 2)
        } else if latencyMicros * 8 < timeoutMicros && count >= limit {
            limit = min(largest, limit + max(1, limit / 2))
        }
    }

    /// A statement of the current size ran out of time (and was rolled back).
    mutating func timedOut() {
        limit = max(smallest, limit / 2)
    }
}

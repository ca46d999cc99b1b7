import CMalloc

/// Gives the broker's process back the memory a drained backlog used.
///
/// While PostgreSQL is slower than the broker, the writer's queue holds events in memory (up to
/// half of `conn_queue_size` before it moves them to the spool), and the writer reads the spool
/// back in large batches. Once all of it is written the memory is freed (`WriterState` hands a
/// grown queue buffer back), but glibc keeps freed heap in its arenas: without a trim the
/// broker's RSS stays at its high-water mark for the rest of the run (measured: 18 MB before a
/// 10 s async load, 47 MB once it was written, 22 MB after `malloc_trim`).
struct HeapRelease {
    /// A trim walks every arena and holds each one's lock while it does (the broker's thread
    /// allocates from one of them), so a writer that goes idle often trims at most this often.
    static let minimumInterval = Duration.seconds(5)

    private var wroteSinceTrim = false
    private var lastTrimAt: Int64?

    /// The writer stored or spooled events: it may have freed memory since the last trim.
    mutating func wrote() { wroteSinceTrim = true }

    /// Called when the writer is idle (nothing queued or spooled, so whatever a backlog used is
    /// freed): trims when events were written since the last trim, `minimumInterval` after it.
    /// - Parameter now: monotonic nanoseconds.
    /// - Returns: whether it trimmed.
    @discardableResult
    mutating func trimIfDue(now: Int64) -> Bool {
        guard wroteSinceTrim, lastTrimAt.map({ now - $0 >= Self.minimumInterval.nanoseconds }) ?? true else {
            return false
        }
        wroteSinceTrim = false
        lastTrimAt = now
        malloc_trim(0)
        return true
    }
}

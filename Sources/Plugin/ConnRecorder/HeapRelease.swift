import CMalloc

#if canImport(Glibc)
import Glibc
#endif

/// Gives the broker's process back the memory a drained backlog used.
///
/// While PostgreSQL is slower than the broker, the writer's queue holds events in memory (up to
/// half of `conn_queue_size` before it moves them to the spool), and the writer reads the spool
/// back in large batches. Once all of it is written the memory is freed (`WriterState` hands a
/// grown queue buffer back), but glibc keeps freed heap for reuse in two ways:
/// - its trim threshold adapts: once a large block is freed, free memory at the top of a heap is
///   kept up to twice that block's size (tens of MB after a backlog), and `malloc_trim` does not
///   release the top of the writer thread's arena;
/// - free memory inside an arena is released only by `malloc_trim`.
/// Measured with an 8-thread async load (18 MB before): 80 MB at its end and 45 to 49 MB once
/// drained and trimmed, with the threshold adapting; 38 MB at the end and 21 MB once drained,
/// with it fixed.
struct HeapRelease {
    /// A trim walks every arena and holds each one's lock while it does (the broker's thread
    /// allocates from one of them), so a writer that goes idle often trims at most this often.
    static let minimumInterval = Duration.seconds(5)
    /// glibc's own default trim threshold, kept fixed instead of adapting upwards.
    static let trimThreshold: Int32 = 128 * 1024

    private var wroteSinceTrim = false
    private var lastTrimAt: Int64?

    /// Keeps glibc's default trim threshold from adapting upwards, unless the operator tuned
    /// malloc for the broker (`GLIBC_TUNABLES` naming malloc, or `MALLOC_TRIM_THRESHOLD_` /
    /// `MALLOC_MMAP_THRESHOLD_`): then theirs stands. Process-wide, like every malloc setting;
    /// fixing it also fixes the mmap threshold at its default (blocks over 128 KiB are mapped and
    /// unmapped on their own), which is how glibc behaves before its first large free anyway.
    /// - Returns: whether the threshold was set.
    @discardableResult
    static func fixTrimThreshold(environment: (String) -> String? = Self.environment) -> Bool {
        if environment("GLIBC_TUNABLES")?.contains("malloc") == true || environment("MALLOC_TRIM_THRESHOLD_") != nil
            || environment("MALLOC_MMAP_THRESHOLD_") != nil
        {
            return false
        }
        return mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The writer stored or spooled events: it may have freed memory since the last trim.
    mutating func wrote() { wroteSinceTrim = true }

    /// Called when the writer is idle (nothing queued or spooled, so whatever a backlog used is
    /// freed): trims when events were written since the last trim, `minimumInterval` after it.
    /// - Parameter now: monotonic microseconds.
    /// - Returns: whether it trimmed.
    @discardableResult
    mutating func trimIfDue(atMicroseconds now: Int64) -> Bool {
        guard wroteSinceTrim, lastTrimAt.map({ now - $0 >= Self.minimumInterval.microseconds }) ?? true else {
            return false
        }
        wroteSinceTrim = false
        lastTrimAt = now
        malloc_trim(0)
        return true
    }
}

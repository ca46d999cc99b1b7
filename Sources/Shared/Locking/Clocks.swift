#if canImport(Glibc)
import Glibc
#endif

/// Clock readings without Foundation. Every instant in the package is Int64 microseconds
/// (PostgreSQL's resolution); spans are `Duration`.
package enum Clocks {
    /// Wall-clock time in microseconds since the Unix epoch.
    package static func wallMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// Monotonic microseconds, for deadlines and latencies (the wall clock may jump).
    package static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// The monotonic deadline `span` from now, in microseconds (for `ConditionLocked` waits).
    package static func monotonicDeadline(after span: Duration) -> Int64 {
        monotonicMicroseconds() + span.microseconds
    }

    /// A monotonic instant in microseconds as `pthread_cond_timedwait` reads it.
    package static func deadlineTimespec(microseconds instant: Int64) -> timespec {
        timespec(tv_sec: Int(instant / 1_000_000), tv_nsec: Int(instant % 1_000_000) * 1000)
    }

    /// A random 64-bit value in hex, for boot ids.
    package static func randomHex() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Duration {
    /// The duration in whole microseconds (rounded toward zero), the unit of every instant.
    package var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Clock readings without Foundation.
package enum Clocks {
    /// Wall-clock time in microseconds since the Unix epoch.
    package static func wallMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }

    /// Monotonic nanoseconds, for deadlines and latencies.
    package static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The monotonic deadline `span` from now, in nanoseconds (for `ConditionLocked` waits).
    package static func monotonicDeadline(after span: Duration) -> Int64 {
        monotonicNanoseconds() + span.nanoseconds
    }

    /// A random 64-bit value in hex, for boot ids.
    package static func randomHex() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension Duration {
    /// The duration in whole nanoseconds (deadlines are compared as monotonic nanoseconds).
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

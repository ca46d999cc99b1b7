/// When the plugin's MOSQ_EVT_TICK wakes the broker's loop, and when its periodic work runs.
///
/// Why the broker needs waking at all (mosquitto 2.1.2, src/sys_tree.c and src/loop.c): `$SYS`
/// is published only by a loop iteration that runs in a second where `now % sys_interval == 0`,
/// and the wake-up `sys_tree__update` asks for lands one second *before* that boundary, so an
/// idle broker stops publishing `$SYS` after its first round. A plugin's tick can ask for a
/// wake-up (`next_s * 1000 + next_ms` milliseconds), but the broker calls a tick only once the
/// interval it asked for has passed (src/plugin_tick.c), and every loop iteration starts its
/// wait from scratch. Any iteration in between (a PUBLISH delivered, a socket turning writable
/// after our own status publication) therefore forgets our wake-up, and the loop sleeps on
/// `sys_tree__update`'s wrong one: measured, with `plugin_opt_conn_status_interval 1` an idle
/// broker published `$SYS/broker/uptime` once and never again.
///
/// So the tick asks to be called on every iteration *and* for a wake-up: `next_s = -2`,
/// `next_ms = 2000 + wait` makes the broker's wake-up `wait` milliseconds, while the time it
/// stores for "call again after" lies in the past (its carry of `next_ms` into seconds happens
/// once). The wake-ups land on a wall-clock grid, every `periodMilliseconds` from each second on,
/// `lateByMilliseconds` after it, so the loop runs in every second and so in every
/// `sys_interval` boundary, whatever the interval. The periodic work (forwarding the writer's
/// log lines, status, kept-session checks) keeps its own pace (`takeWorkIfDue`): most calls do
/// nothing but this arithmetic.
package struct TickSchedule: Sendable {
    /// The grid of wake-ups within each second; divides 1000.
    package static let periodMilliseconds: Int64 = 250
    /// How far after a grid point the loop is woken: the broker reads the time in whole seconds
    /// after its wait, so a wake-up exactly on a second boundary could still count as the second
    /// before.
    package static let lateByMilliseconds: Int64 = 5
    /// The `next_s` that keeps the tick due on every loop iteration (see above).
    package static let alwaysDueSeconds: Int64 = -2

    /// The tick's `next_s` and `next_ms`: wake the loop `wait` ms from now, call again at once.
    package struct Request: Equatable, Sendable {
        package var nextSeconds: Int64
        package var nextMilliseconds: Int64
        /// What the broker's loop waits, in milliseconds (`next_s * 1000 + next_ms`).
        package var wakeAfterMilliseconds: Int64 { nextSeconds * 1000 + nextMilliseconds }
    }

    /// The next work time, in the tick's clock (wall-clock microseconds); 0: at the first tick.
    private var nextWorkMicros: Int64 = 0

    package init() {}

    /// Milliseconds from `nanosecondOfSecond` (0 ..< 1e9) to the next grid point after it.
    package static func millisecondsToNextWake(nanosecondOfSecond: Int64) -> Int64 {
        let intoSecond = nanosecondOfSecond / 1_000_000
        let sinceGridPoint = intoSecond - lateByMilliseconds
        let next =
            sinceGridPoint < 0
            ? lateByMilliseconds : (sinceGridPoint / periodMilliseconds + 1) * periodMilliseconds + lateByMilliseconds
        return max(next - intoSecond, 1)
    }

    /// The values to store in the tick event for a tick called at `nanosecondOfSecond`.
    package static func request(nanosecondOfSecond: Int64) -> Request {
        let wait = millisecondsToNextWake(nanosecondOfSecond: nanosecondOfSecond)
        return Request(nextSeconds: alwaysDueSeconds, nextMilliseconds: -alwaysDueSeconds * 1000 + wait)
    }

    /// Whether the periodic work is due at `nowMicros` (wall clock); when it is, the next one is
    /// set a period later. A clock stepped back by more than a period restarts the pace.
    package mutating func takeWorkIfDue(nowMicros: Int64) -> Bool {
        let period = Self.periodMilliseconds * 1000
        if nowMicros >= nextWorkMicros || nextWorkMicros - nowMicros > period {
            // Aligned to the grid, slightly early, so the wake-up that lands on a grid point
            // finds the work due.
            let gridPoint = nowMicros - nowMicros % period
            nextWorkMicros = gridPoint + period - Self.lateByMilliseconds * 1000 / 2
            if nextWorkMicros <= nowMicros { nextWorkMicros += period }
            return true
        }
        return false
    }
}

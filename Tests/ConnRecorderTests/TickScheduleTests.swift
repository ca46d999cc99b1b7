import ConnRecorder
import Testing

@Suite struct TickScheduleTests {
    /// Milliseconds into a second → the next wake-up there, on the 5, 255, 505, 755 ms grid.
    @Test(arguments: [
        (0, 5), (4, 5), (5, 255), (6, 255), (254, 255), (255, 505), (700, 755), (755, 1005), (999, 1005),
    ])
    func wakesOnTheGrid(intoSecond: Int64, wakeAt: Int64) {
        let wait = TickSchedule.millisecondsToNextWake(nanosecondOfSecond: intoSecond * 1_000_000 + 400_000)
        #expect(intoSecond + wait == wakeAt)
    }

    /// Every second gets a wake-up, so every sys_interval boundary does: following the requested
    /// waits from any start reaches each of the next 20 seconds.
    @Test(arguments: [0, 3, 249, 500, 999])
    func everySecondIsWoken(startMillisecond: Int64) {
        var now = startMillisecond * 1_000_000
        var seconds: Set<Int64> = []
        while now < 20_000_000_000 {
            let wait = TickSchedule.request(nanosecondOfSecond: now % 1_000_000_000).wakeAfterMilliseconds
            #expect(wait >= 1 && wait <= TickSchedule.periodMilliseconds + TickSchedule.lateByMilliseconds)
            now += wait * 1_000_000 + 300_000  // the loop wakes a little late
            seconds.insert(now / 1_000_000_000)
        }
        #expect(seconds.isSuperset(of: Set(1..<20)))
    }

    /// The broker stores "call again after" as now + next_s, now_ns + next_ms (one carry): with the
    /// request it lies in the past, while next_s * 1000 + next_ms is the wait.
    @Test func theBrokerCallsAgainAtOnce() {
        let request = TickSchedule.request(nanosecondOfSecond: 600_000_000)
        #expect(request.wakeAfterMilliseconds == 155)
        let nowSeconds: Int64 = 1_000
        var dueSeconds = nowSeconds + request.nextSeconds
        var dueNanoseconds = 600_000_000 + 1_000_000 * request.nextMilliseconds
        if dueNanoseconds > 1_000_000_000 {  // src/plugin_tick.c, 2.1.2
            dueNanoseconds -= 1_000_000_000
            dueSeconds += 1
        }
        #expect(dueSeconds < nowSeconds)
    }

    @Test func workKeepsItsOwnPace() {
        var schedule = TickSchedule()
        let second: Int64 = 1_800_000_000 * 1_000_000
        // A wake-up, iterations in between (traffic) that do no work, the next grid wake-up, a
        // clock stepped back (which restarts the pace instead of pausing the work).
        let calls: [Int64] = [5_000, 6_000, 200_000, 255_000, 256_000, -10_000_000]
        let due = calls.map { schedule.takeWorkIfDue(nowMicros: second + $0) }
        #expect(due == [true, false, false, true, false, true])
    }
}

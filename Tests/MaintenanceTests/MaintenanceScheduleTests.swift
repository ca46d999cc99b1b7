import Maintenance
import Testing

/// When maintenance (retention) runs: at start, then one interval after each run started.
@Suite struct MaintenanceScheduleTests {
    static let second: Int64 = 1_000_000

    @Test func theFirstRunIsDueAtOnce() {
        let schedule = MaintenanceSchedule(intervalSeconds: 3600)
        #expect(schedule.isDue(atMicroseconds: 0))
        #expect(schedule.isDue(atMicroseconds: 123 * Self.second))
        #expect(schedule.microsecondsUntilDue(atMicroseconds: 5) == 0)
    }

    @Test func theNextRunIsDueOneIntervalAfterTheLastStarted() {
        var schedule = MaintenanceSchedule(intervalSeconds: 3600)
        schedule.runStarted(atMicroseconds: 10 * Self.second)
        #expect(!schedule.isDue(atMicroseconds: 10 * Self.second))
        #expect(!schedule.isDue(atMicroseconds: 3609 * Self.second))
        #expect(schedule.isDue(atMicroseconds: 3610 * Self.second))
        #expect(schedule.microsecondsUntilDue(atMicroseconds: 3000 * Self.second) == 610 * Self.second)
        #expect(schedule.microsecondsUntilDue(atMicroseconds: 4000 * Self.second) == 0)
    }

    @Test func aRunLongerThanTheIntervalIsFollowedAtOnce() {
        var schedule = MaintenanceSchedule(intervalSeconds: 60)
        schedule.runStarted(atMicroseconds: 0)
        // The run took 90 s: the next is already due when it ends.
        #expect(schedule.isDue(atMicroseconds: 90 * Self.second))
    }

    @Test func anIntervalBelowOneSecondIsOneSecond() {
        var schedule = MaintenanceSchedule(intervalSeconds: 0)
        schedule.runStarted(atMicroseconds: 0)
        #expect(schedule.intervalMicroseconds == Self.second)
    }
}

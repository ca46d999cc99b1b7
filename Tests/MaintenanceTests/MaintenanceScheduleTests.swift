import Maintenance
import Testing

/// When maintenance (retention) runs: at start, then one interval after each run started.
@Suite struct MaintenanceScheduleTests {
    static let second: Int64 = 1_000_000_000

    @Test func theFirstRunIsDueAtOnce() {
        let schedule = MaintenanceSchedule(intervalSeconds: 3600)
        #expect(schedule.isDue(atNanoseconds: 0))
        #expect(schedule.isDue(atNanoseconds: 123 * Self.second))
        #expect(schedule.nanosecondsUntilDue(atNanoseconds: 5) == 0)
    }

    @Test func theNextRunIsDueOneIntervalAfterTheLastStarted() {
        var schedule = MaintenanceSchedule(intervalSeconds: 3600)
        schedule.runStarted(atNanoseconds: 10 * Self.second)
        #expect(!schedule.isDue(atNanoseconds: 10 * Self.second))
        #expect(!schedule.isDue(atNanoseconds: 3609 * Self.second))
        #expect(schedule.isDue(atNanoseconds: 3610 * Self.second))
        #expect(schedule.nanosecondsUntilDue(atNanoseconds: 3000 * Self.second) == 610 * Self.second)
        #expect(schedule.nanosecondsUntilDue(atNanoseconds: 4000 * Self.second) == 0)
    }

    @Test func aRunLongerThanTheIntervalIsFollowedAtOnce() {
        var schedule = MaintenanceSchedule(intervalSeconds: 60)
        schedule.runStarted(atNanoseconds: 0)
        // The run took 90 s: the next is already due when it ends.
        #expect(schedule.isDue(atNanoseconds: 90 * Self.second))
    }

    @Test func anIntervalBelowOneSecondIsOneSecond() {
        var schedule = MaintenanceSchedule(intervalSeconds: 0)
        schedule.runStarted(atNanoseconds: 0)
        #expect(schedule.intervalNanoseconds == Self.second)
    }
}

@testable import ConnRecorder
import Testing

/// When the writer may count rows in client_daily_stats: only through an id read at least the
/// settle time ago, so a row whose lower id commits late is never skipped.
struct DailyStatsFoldPlanTests {
    static let second: Int64 = 1_000_000

    @Test func nothingSettlesBeforeTheSettleTime() {
        var plan = DailyStatsFoldPlan(settleMicroseconds: 3 * Self.second)
        plan.noteNewest(100, atMicroseconds: 10 * Self.second)
        #expect(plan.settledThrough(foldedThrough: 0, atMicroseconds: 12 * Self.second) == nil)
        #expect(plan.settledThrough(foldedThrough: 0, atMicroseconds: 13 * Self.second) == 100)
    }

    @Test func theNewestSettledReadingWinsAndNewerOnesWait() {
        var plan = DailyStatsFoldPlan(settleMicroseconds: 3 * Self.second)
        plan.noteNewest(100, atMicroseconds: 10 * Self.second)
        plan.noteNewest(200, atMicroseconds: 11 * Self.second)
        plan.noteNewest(300, atMicroseconds: 13 * Self.second)
        #expect(plan.settledThrough(foldedThrough: 0, atMicroseconds: 14 * Self.second) == 200)
        plan.folded(through: 200)
        #expect(plan.readings.map(\.id) == [300])
        #expect(plan.settledThrough(foldedThrough: 200, atMicroseconds: 15 * Self.second) == nil)
        #expect(plan.settledThrough(foldedThrough: 200, atMicroseconds: 16 * Self.second) == 300)
    }

    @Test func aReadingAtOrBelowTheFoldIsNeverFoldedAgain() {
        var plan = DailyStatsFoldPlan(settleMicroseconds: Self.second)
        plan.noteNewest(50, atMicroseconds: 0)
        #expect(plan.settledThrough(foldedThrough: 50, atMicroseconds: 5 * Self.second) == nil)
        #expect(plan.settledThrough(foldedThrough: 80, atMicroseconds: 5 * Self.second) == nil)
    }

    @Test func anUnchangedTableAddsNoReading() {
        var plan = DailyStatsFoldPlan(settleMicroseconds: Self.second)
        plan.noteNewest(7, atMicroseconds: 0)
        plan.noteNewest(7, atMicroseconds: Self.second)
        plan.noteNewest(5, atMicroseconds: 2 * Self.second)
        #expect(plan.readings == [.init(id: 7, readAtMicroseconds: 0)])
    }

    /// conn_timeout_ms 60000 settles after 121 s; rows arrive every second for 200 s. The fold
    /// must still move: the readings kept are the oldest, which settle first.
    @Test func steadyLoadWithALongSettleTimeStillFolds() {
        var plan = DailyStatsFoldPlan(settleMicroseconds: 121 * Self.second)
        for second in 0..<200 { plan.noteNewest(Int64(second + 1) * 10, atMicroseconds: Int64(second) * Self.second) }
        #expect(plan.readings.count == DailyStatsFoldPlan.capacity)
        let settled = plan.settledThrough(foldedThrough: 0, atMicroseconds: 200 * Self.second)
        #expect(settled == 630)  // the reading of second 62 (id 630) is the newest 121 s old
        plan.folded(through: 630)
        plan.noteNewest(2010, atMicroseconds: 200 * Self.second)
        #expect(plan.readings.last?.id == 2010)
        #expect(plan.settledThrough(foldedThrough: 630, atMicroseconds: 322 * Self.second) == 2010)
    }

    @Test func theSettleTimeCoversTwoStatementTimeoutsAndASecond() {
        #expect(WriterLoop.dailyStatsSettleMicroseconds(timeout: .milliseconds(1000)) == 3 * Self.second)
        #expect(WriterLoop.dailyStatsSettleMicroseconds(timeout: .seconds(5)) == 11 * Self.second)
    }
}

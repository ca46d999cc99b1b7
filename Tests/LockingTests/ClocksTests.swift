import Locking
import Testing

/// Instants are microseconds; a wrong factor here would make every wait 1000 times too short or long.
@Suite struct ClocksTests {
    @Test func durationsInWholeMicroseconds() {
        #expect(Duration.seconds(2).microseconds == 2_000_000)
        #expect(Duration.milliseconds(1500).microseconds == 1_500_000)
        #expect(Duration.microseconds(7).microseconds == 7)
        #expect(Duration.nanoseconds(1999).microseconds == 1)
        #expect(Duration.seconds(86_400 * 365).microseconds == 31_536_000_000_000)
    }

    @Test func aDeadlineAsTheConditionVariableReadsIt() {
        let time = Clocks.deadlineTimespec(microseconds: 3_000_123)
        #expect(time.tv_sec == 3)
        #expect(time.tv_nsec == 123_000)
        #expect(Clocks.deadlineTimespec(microseconds: 999_999).tv_nsec == 999_999_000)
    }

    @Test func aDeadlineIsTheSpanFromNow() {
        let before = Clocks.monotonicMicroseconds()
        let deadline = Clocks.monotonicDeadline(after: .seconds(3))
        let after = Clocks.monotonicMicroseconds()
        #expect(deadline >= before + 3_000_000)
        #expect(deadline <= after + 3_000_000)
    }

    @Test func theWallClockIsEpochMicroseconds() {
        // 2020-01-01 and 2100-01-01: seconds or nanoseconds would fall outside.
        #expect((1_577_836_800_000_000...4_102_444_800_000_000).contains(Clocks.wallMicroseconds()))
    }

    @Test func aTimedWaitEndsAtItsDeadline() {
        let locked = ConditionLocked(0)
        let started = Clocks.monotonicMicroseconds()
        let ready = locked.withLock(when: { $0 > 0 }, untilMicroseconds: Clocks.monotonicDeadline(after: .milliseconds(50))) {
            _, ready in ready
        }
        let waited = Clocks.monotonicMicroseconds() - started
        #expect(!ready)
        #expect(waited >= 50_000)
        #expect(waited < 5_000_000)
    }

    @Test func aWaitingBodyLearnsItTimedOut() {
        let locked = ConditionLocked(0)
        let deadline = Clocks.monotonicDeadline(after: .milliseconds(20))
        let timedOut = locked.withLock { (_, timedOut) -> ConditionLocked<Int>.Step<Bool> in
            timedOut ? .done(true) : .wait(untilMicroseconds: deadline)
        }
        #expect(timedOut)
        #expect(Clocks.monotonicMicroseconds() >= deadline)
    }
}

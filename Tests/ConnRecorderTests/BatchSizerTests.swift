@testable import ConnRecorder
import Testing

/// Batch sizes follow the time statements take, so no statement meets timeout_ms under load.
struct BatchSizerTests {
    static func sizer() -> BatchSizer {
        BatchSizer(smallest: 50, initial: 2000, largest: 10_000, timeoutMicros: 1_000_000)
    }

    @Test func fastFullBatchesGrowUpToTheLargest() {
        var sizer = Self.sizer()
        sizer.committed(count: 2000, latencyMicros: 20_000)
        #expect(sizer.limit == 3000)
        for _ in 0..<20 { sizer.committed(count: sizer.limit, latencyMicros: 20_000) }
        #expect(sizer.limit == 10_000)
    }

    @Test func aBatchThatWasNotFullSaysNothingAboutLargerOnes() {
        var sizer = Self.sizer()
        sizer.committed(count: 10, latencyMicros: 1_000)
        #expect(sizer.limit == 2000)
    }

    @Test func aSlowStatementOrATimeoutHalvesDownToTheSmallest() {
        var sizer = Self.sizer()
        sizer.committed(count: 2000, latencyMicros: 250_000)
        #expect(sizer.limit == 1000)
        sizer.timedOut()
        #expect(sizer.limit == 500)
        for _ in 0..<10 { sizer.timedOut() }
        #expect(sizer.limit == 50)
    }

    @Test func statementsBetweenAnEighthAndAQuarterOfTheTimeoutKeepTheSize() {
        var sizer = Self.sizer()
        sizer.committed(count: 2000, latencyMicros: 200_000)
        #expect(sizer.limit == 2000)
    }
}

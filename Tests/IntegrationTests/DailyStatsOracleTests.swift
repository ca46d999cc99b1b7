import Testing

/// The test oracle's day splitting (pure; no database needed).
@Suite(.offCooperativePool)
struct DailyStatsOracleTests {
    static let day: Int64 = 86_400_000_000
    static let hour: Int64 = 3_600_000_000

    @Test func aSessionWithinOneDayIsOnePiece() {
        let pieces = DailyStatsOracle.splitByUTCDay(startMicros: 10 * Self.day + Self.hour, endMicros: 10 * Self.day + 3 * Self.hour)
        #expect(pieces.map(\.day) == [10])
        #expect(pieces.map(\.seconds) == [7200])
    }

    @Test func aSessionOverMidnightIsSplitAtMidnightUTC() {
        let pieces = DailyStatsOracle.splitByUTCDay(
            startMicros: 10 * Self.day + 23 * Self.hour, endMicros: 11 * Self.day + Self.hour + Self.hour / 2)
        #expect(pieces.map(\.day) == [10, 11])
        #expect(pieces.map(\.seconds) == [3600, 5400])
    }

    @Test func aSessionOverSeveralDaysCountsWholeDaysInBetween() {
        let pieces = DailyStatsOracle.splitByUTCDay(startMicros: 10 * Self.day + 12 * Self.hour, endMicros: 13 * Self.day)
        #expect(pieces.map(\.day) == [10, 11, 12, 13])
        #expect(pieces.map(\.seconds) == [43_200, 86_400, 86_400, 0])
        #expect(pieces.map(\.seconds).reduce(0, +) == 2.5 * 86_400)
    }

    @Test func daysBeforeTheEpochFloor() {
        #expect(DailyStatsOracle.day(ofMicros: -1) == -1)
        #expect(DailyStatsOracle.day(ofMicros: 0) == 0)
        #expect(DailyStatsOracle.day(ofMicros: Self.day - 1) == 0)
    }

    @Test func aDisconnectClosesOnlyTheSessionOfItsOwnBroker() {
        let rows: [DailyStatsOracle.Row] = [
            .init(id: 1, tsMicros: 1 * Self.hour, type: "connect", clientID: "c", brokerID: "a", reasonCode: nil),
            .init(id: 2, tsMicros: 2 * Self.hour, type: "connect", clientID: "c", brokerID: "b", reasonCode: nil),
            .init(id: 3, tsMicros: 4 * Self.hour, type: "disconnect", clientID: "c", brokerID: "a", reasonCode: 7),
            .init(id: 4, tsMicros: 5 * Self.hour, type: "disconnect", clientID: "c", brokerID: "a", reasonCode: 0),
        ]
        let stats = DailyStatsOracle.compute(rows)
        #expect(stats[.init(day: 0, brokerID: "a", clientID: "c")] == .init(connects: 1, disconnects: 2, unclean: 1, onlineSeconds: 3 * 3600))
        #expect(stats[.init(day: 0, brokerID: "b", clientID: "c")] == .init(connects: 1, disconnects: 0, unclean: 0, onlineSeconds: 0))
    }
}

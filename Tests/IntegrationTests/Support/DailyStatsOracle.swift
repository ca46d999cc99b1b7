/// client_daily_stats computed from the raw rows of client_conn_events, written independently of
/// sql/fold_daily_stats.sql (in Swift, over the whole history at once) so that the tests compare
/// the incremental statement against a second reading of the definition in
/// schema/030_retention_rollups.sql.
enum DailyStatsOracle {
    struct Row: Sendable {
        var id: Int64
        var tsMicros: Int64
        var type: String
        var clientID: String
        var brokerID: String
        var reasonCode: Int?
    }

    struct Key: Hashable, Comparable, CustomStringConvertible {
        /// Days since 1970-01-01 (UTC).
        var day: Int64
        var brokerID: String
        var clientID: String
        static func < (a: Key, b: Key) -> Bool {
            (a.day, a.brokerID, a.clientID) < (b.day, b.brokerID, b.clientID)
        }
        var description: String { "\(day)/\(brokerID)/\(clientID)" }
    }

    struct Stats: Equatable, CustomStringConvertible {
        var connects = 0
        var disconnects = 0
        var unclean = 0
        var onlineSeconds = 0.0
        var description: String { "c=\(connects) d=\(disconnects) u=\(unclean) s=\(onlineSeconds)" }
    }

    static let microsPerDay: Int64 = 86_400_000_000

    /// The UTC day of an epoch-microsecond time (floor division: before 1970 too).
    static func day(ofMicros micros: Int64) -> Int64 {
        micros >= 0 ? micros / microsPerDay : -((-micros + microsPerDay - 1) / microsPerDay)
    }

    /// The seconds of [start, end] within each UTC day it touches, earliest day first; a session
    /// ending exactly at midnight gives the next day 0 seconds (as generate_series does).
    static func splitByUTCDay(startMicros: Int64, endMicros: Int64) -> [(day: Int64, seconds: Double)] {
        guard endMicros >= startMicros else { return [] }
        var pieces: [(Int64, Double)] = []
        var current = Self.day(ofMicros: startMicros)
        let lastDay = Self.day(ofMicros: endMicros)
        while current <= lastDay {
            let from = max(startMicros, current * microsPerDay)
            let to = min(endMicros, (current + 1) * microsPerDay)
            pieces.append((current, Double(to - from) / 1_000_000))
            current += 1
        }
        return pieces
    }

    /// Counts per (day, broker, client), and online time from each disconnect back to the event
    /// before it of the same client and broker (by ts, then id) when that is a connect.
    static func compute(_ rows: [Row]) -> [Key: Stats] {
        var result: [Key: Stats] = [:]
        let groups = Dictionary(grouping: rows) { "\($0.clientID)\u{0}\($0.brokerID)" }
        for (_, group) in groups {
            let ordered = group.sorted { ($0.tsMicros, $0.id) < ($1.tsMicros, $1.id) }
            for (index, row) in ordered.enumerated() {
                let key = Key(day: day(ofMicros: row.tsMicros), brokerID: row.brokerID, clientID: row.clientID)
                if row.type == "connect" {
                    result[key, default: Stats()].connects += 1
                    continue
                }
                result[key, default: Stats()].disconnects += 1
                if row.reasonCode != 0 { result[key, default: Stats()].unclean += 1 }
                guard index > 0, ordered[index - 1].type == "connect" else { continue }
                for piece in splitByUTCDay(startMicros: ordered[index - 1].tsMicros, endMicros: row.tsMicros) {
                    let pieceKey = Key(day: piece.day, brokerID: row.brokerID, clientID: row.clientID)
                    result[pieceKey, default: Stats()].onlineSeconds += piece.seconds
                }
            }
        }
        return result
    }
}

/// A point in time as whole microseconds since 1970-01-01 UTC: PostgreSQL's own resolution, so a
/// keyset cursor carries a row's `ts` exactly (a `Double` of seconds would round it).
package struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    package let microseconds: Int64

    package init(microseconds: Int64) { self.microseconds = microseconds }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// RFC 3339 in UTC with microseconds: `2026-12-03T08:51:43.123456Z`.
    package var description: String {
        let (seconds, micros) = microseconds.floorDividedBy(1_000_000)
        let (days, secondOfDay) = seconds.floorDividedBy(86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
            + "\(Self.pad(secondOfDay / 3600, 2)):\(Self.pad(secondOfDay / 60 % 60, 2)):\(Self.pad(secondOfDay % 60, 2))"
            + ".\(Self.pad(micros, 6))Z"
    }

    /// `2026-12-03 08:51:43` (UTC, whole seconds): what the pages show.
    package var display: String {
        let text = description
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8))
    }

    /// Parses what the API and the pages' forms send:
    /// - RFC 3339: `2026-12-03T08:00:00Z`, `2026-12-03T08:00:00.5+01:00` (`t`, `z` and a space for
    ///   `T` accepted);
    /// - a date and time without zone, as an HTML `datetime-local` input sends it: `2026-12-03T08:00`
    ///   or with seconds, read as UTC;
    /// - a date, `2026-12-03`: its midnight UTC.
    /// Nil for anything else, including impossible dates (`2026-02-30`).
    package static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func expect(_ allowed: String) -> Bool {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        var seconds = days(year: year, month: month, day: day) * 86_400
        if index == bytes.count { return Timestamp(microseconds: seconds * 1_000_000) }
        guard expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60 else {
            return nil
        }
        seconds += hour * 3600 + minute * 60
        var micros: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            guard let second = number(2), second < 60 else { return nil }
            seconds += second
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                var digits = 0
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    if digits < 6 { micros = micros * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<max(digits, 6) { micros *= 10 }
            }
        }
        if index == bytes.count { return Timestamp(microseconds: seconds * 1_000_000 + micros) }
        if expect("Zz"), index == bytes.count { return Timestamp(microseconds: seconds * 1_000_000 + micros) }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else {
            return nil
        }
        let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
        index += 1
        guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2), index == bytes.count,
            offsetHours < 24, offsetMinutes < 60
        else { return nil }
        seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
        return Timestamp(microseconds: seconds * 1_000_000 + micros)
    }

    // MARK: Calendar (proleptic Gregorian; H. Hinnant's days_from_civil / civil_from_days)

    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays value: Int64) -> (Int64, Int64, Int64) {
        let z = value + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension Int64 {
    /// Quotient and remainder rounded towards minus infinity (times before 1970 stay correct).
    fileprivate func floorDividedBy(_ divisor: Int64) -> (Int64, Int64) {
        let quotient = self / divisor
        let remainder = self % divisor
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}

/// What one `mqtt-load` run measured, printed as one JSON line.
struct LoadResult {
    var threads: Int
    /// Successful cycles (CONNACK accepted, DISCONNECT sent).
    var cycles: Int
    var errors: Int
    var seconds: Double
    /// CONNECT-to-CONNACK latencies in microseconds, sorted ascending.
    var sortedLatencies: [UInt32]
    var firstError: String?

    var cyclesPerSecond: Double { seconds > 0 ? Double(cycles) / seconds : 0 }

    /// The nearest-rank percentile (`fraction` in 0...1) of the latencies; 0 without any.
    func percentile(_ fraction: Double) -> UInt32 {
        guard !sortedLatencies.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sortedLatencies.count)).rounded(.up))
        return sortedLatencies[min(max(rank, 1), sortedLatencies.count) - 1]
    }

    /// The result as one line of JSON.
    var json: String {
        var fields = [
            "\"cycles\":\(cycles)", "\"errors\":\(errors)", "\"threads\":\(threads)",
            "\"seconds\":\(Self.decimal(seconds, places: 3))",
            "\"cycles_per_s\":\(Self.decimal(cyclesPerSecond, places: 1))",
            "\"p50_us\":\(percentile(0.50))", "\"p99_us\":\(percentile(0.99))",
            "\"max_us\":\(sortedLatencies.last ?? 0)",
        ]
        if let firstError { fields.append("\"first_error\":\(Self.quoted(firstError))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Fixed-point text without Foundation's formatters.
    static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        var fraction = String(scaled % Int64(scale))
        while fraction.count < places { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

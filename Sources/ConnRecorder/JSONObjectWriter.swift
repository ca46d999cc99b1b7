/// Writes one flat JSON object. Enough for `extra`, without Foundation in the plugin.
package struct JSONObjectWriter: Sendable {
    private var text = "{"
    private var first = true

    package init() {}

    package mutating func add(_ key: String, _ value: String) {
        member(key)
        Self.appendString(value, to: &text)
    }

    package mutating func add(_ key: String, _ value: Int64) {
        member(key)
        text += String(value)
    }

    package mutating func add(_ key: String, _ value: Bool) {
        member(key)
        text += value ? "true" : "false"
    }

    package mutating func finish() -> String { text + "}" }

    private mutating func member(_ key: String) {
        if !first { text += "," }
        first = false
        Self.appendString(key, to: &text)
        text += ":"
    }

    /// RFC 8259 string escaping: quote, backslash and control characters.
    package static func appendString(_ value: String, to output: inout String) {
        output += "\""
        // Most values need no escaping: append them whole rather than scalar by scalar.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            output += value
            output += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}

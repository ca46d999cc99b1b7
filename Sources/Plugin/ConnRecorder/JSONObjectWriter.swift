/// Writes one flat JSON object. Enough for `extra`, without Foundation in the plugin.
///
/// Builds UTF-8 bytes and makes one String at the end: `extra` is built for every event on the
/// writer thread, and String concatenation per member cost more than the rest of the write.
package struct JSONObjectWriter: Sendable {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    package init() {
        bytes.reserveCapacity(320)
    }

    package mutating func add(_ key: String, _ value: String) {
        member(key)
        Self.appendString(value, to: &bytes)
    }

    package mutating func add(_ key: String, _ value: Int64) {
        member(key)
        Self.appendDecimal(value, to: &bytes)
    }

    package mutating func add(_ key: String, _ value: Bool) {
        member(key)
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    package mutating func finish() -> String {
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func member(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 8259 string escaping of `value` into `output`, as text.
    package static func appendString(_ value: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendString(value, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 8259 string escaping: quote, backslash and control characters. Works on UTF-8 bytes;
    /// every escaped character is ASCII, so multi-byte characters pass through whole. The bytes
    /// between two escaped ones are copied as one run: per byte, only a comparison.
    package static func appendString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                appendEscaped(byte, to: &output)
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// `byte` (a quote, a backslash or a control character) as its JSON escape.
    private static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            output.append(UInt8(ascii: "\\"))
            output.append(byte)
        case UInt8(ascii: "\n"):
            output.append(UInt8(ascii: "\\"))
            output.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"):
            output.append(UInt8(ascii: "\\"))
            output.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"):
            output.append(UInt8(ascii: "\\"))
            output.append(UInt8(ascii: "t"))
        case 0..<0x20:
            output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        default:
            output.append(byte)
        }
    }

    private static func appendDecimal(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 {
            output.append(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output.append(contentsOf: digits.reversed())
    }
}

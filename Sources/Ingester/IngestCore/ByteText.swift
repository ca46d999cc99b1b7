/// A line of text as UTF-8 bytes, searched byte by byte.
///
/// The log parser anchors on ASCII text the broker writes (`" ["`, `"] disconnected"`). Searching
/// bytes rather than `Character`s means a client id ending in a combining mark or a zero-width
/// joiner cannot merge with the broker's anchor into one grapheme and hide it.
struct ByteText {
    let bytes: [UInt8]

    init(_ text: some StringProtocol) {
        bytes = Array(text.utf8)
    }

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = Array(bytes)
    }

    var count: Int { bytes.count }

    func hasPrefix(_ prefix: String) -> Bool {
        let pattern = Array(prefix.utf8)
        return bytes.count >= pattern.count && bytes[0..<pattern.count].elementsEqual(pattern)
    }

    func hasSuffix(_ suffix: String) -> Bool {
        let pattern = Array(suffix.utf8)
        return bytes.count >= pattern.count && bytes[(bytes.count - pattern.count)...].elementsEqual(pattern)
    }

    /// True when `pattern` occurs at byte offset `offset`.
    func matches(_ pattern: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset + pattern.count <= bytes.count else { return false }
        var index = 0
        while index < pattern.count {
            if bytes[offset + index] != pattern[index] { return false }
            index += 1
        }
        return true
    }

    /// Every offset where `pattern` starts, left to right (overlaps included).
    func offsets(of pattern: String, in range: Range<Int>? = nil) -> [Int] {
        let needle = Array(pattern.utf8)
        let bounds = range ?? 0..<bytes.count
        guard !needle.isEmpty, bounds.count >= needle.count else { return [] }
        var result: [Int] = []
        var offset = bounds.lowerBound
        while offset + needle.count <= bounds.upperBound {
            if bytes[offset] == needle[0] && matches(needle, at: offset) { result.append(offset) }
            offset += 1
        }
        return result
    }

    func firstOffset(of pattern: String, from start: Int = 0) -> Int? {
        guard start <= bytes.count else { return nil }
        return offsets(of: pattern, in: start..<bytes.count).first
    }

    func lastOffset(of pattern: String) -> Int? {
        offsets(of: pattern).last
    }

    /// The text of `range`, decoding invalid UTF-8 as U+FFFD.
    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    func string(from start: Int) -> String { string(start..<bytes.count) }

    func string(upTo end: Int) -> String { string(0..<end) }

    /// Parses an unsigned decimal integer made only of ASCII digits.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}

/// Percent-encoding of URL parts, done here rather than by the router: client ids may hold `/`,
/// `?`, `%`, spaces and any other character, and the dashboard must round-trip every one of them
/// through a path segment (`/clients/{client_id}`) and through query strings (forms send `+`).
package enum PercentEncoding {
    /// Decodes `%XX` escapes; with `plusIsSpace` (query strings, HTML form submissions) a `+` is a
    /// space. Nil when an escape is malformed or the bytes are not UTF-8.
    package static func decode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Encodes everything but RFC 3986's unreserved characters, so the result is safe as one path
    /// segment and as a query value (a `/` in a client id becomes `%2F`).
    package static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%"
                out += String(byte >> 4, radix: 16, uppercase: true)
                out += String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// A query string (`a=1&b=x+y`) as decoded pairs in order; an empty key is skipped.
    /// - Throws: `ParameterError` naming the parameter whose escapes are malformed.
    package static func parseQuery(_ query: String?) throws(ParameterError) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        var pairs: [(name: String, value: String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0], plusIsSpace: true) else {
                throw ParameterError(parameter: String(pieces[0]), problem: "is not valid percent-encoded UTF-8")
            }
            guard !name.isEmpty else { continue }
            let rawValue = pieces.count > 1 ? pieces[1] : ""
            guard let value = decode(rawValue, plusIsSpace: true) else {
                throw ParameterError(parameter: name, problem: "is not valid percent-encoded UTF-8")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

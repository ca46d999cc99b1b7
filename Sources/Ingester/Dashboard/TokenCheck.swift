/// The `--ui-token-file` rule: a request is let in when it carries the token as
/// `Authorization: Bearer <token>` or as the cookie the login form sets.
package struct TokenCheck: Sendable {
    /// The cookie the login form sets: the token, percent-encoded (cookie values allow few characters).
    package static let cookieName = "sys_ingester_ui"

    private let token: [UInt8]

    package init(token: String) { self.token = Array(token.utf8) }

    /// - Parameters:
    ///   - authorization: the `Authorization` header, if any.
    ///   - cookie: the value of the `cookieName` cookie, if any.
    package func accepts(authorization: String?, cookie: String?) -> Bool {
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer", matches(Array(parts[1].utf8)) { return true }
        }
        if let cookie, let decoded = PercentEncoding.decode(cookie[...], plusIsSpace: false),
            matches(Array(decoded.utf8))
        {
            return true
        }
        return false
    }

    /// The login form's answer.
    package func accepts(formToken: String) -> Bool { matches(Array(formToken.utf8)) }

    /// Compares every byte whatever the first difference, so the time taken does not tell an
    /// attacker how much of a guess was right.
    private func matches(_ candidate: [UInt8]) -> Bool {
        var difference = UInt8(candidate.count == token.count ? 0 : 1)
        for index in 0..<token.count {
            difference |= token[index] ^ (index < candidate.count ? candidate[index] : 0)
        }
        return difference == 0
    }
}

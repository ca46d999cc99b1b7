/// The mosquitto generation whose log wording the parser expects.
///
/// 2.0 and 2.1 word disconnects differently (`Client dev1 disconnected.` against
/// `Client dev1 [127.0.0.1:35824] disconnected.`). Knowing the generation (from the retained
/// `$SYS/broker/version`, which clients cannot publish) lets the parser try only that
/// generation's shapes, so a client id imitating the other generation's wording is not misread.
package enum BrokerDialect: Equatable, Sendable {
    /// mosquitto 2.0.x (and 1.x, which words lines the same way).
    case v20
    /// mosquitto 2.1.x and later.
    case v21
    /// Not known yet: the parser tries the 2.1 shapes, then the 2.0 shapes.
    case unknown

    /// Reads a `$SYS/broker/version` payload (`mosquitto version 2.0.11`).
    package init(versionPayload: String) {
        let prefix = "mosquitto version "
        guard versionPayload.hasPrefix(prefix) else {
            self = .unknown
            return
        }
        let parts = versionPayload.dropFirst(prefix.count).split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix { $0.isNumber }) else {
            self = .unknown
            return
        }
        self = (major, minor) >= (2, 1) ? .v21 : .v20
    }
}

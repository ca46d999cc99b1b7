/// The `clients` upsert for one client id, folded over a burst.
package struct ClientTouch: Equatable, Sendable {
    package let client: String
    /// Epoch microseconds.
    package var firstSeenMicros: Int64
    package var lastSeenMicros: Int64
    /// True when a connect line was seen: `username` is then the last observed username (nil
    /// meaning the client connected without one) and replaces the stored one.
    package var setsUsername: Bool
    package var username: String?
    /// False when the only activity was a disconnect whose "client" may be a peer address
    /// (a connection that never sent CONNECT): such a line updates an existing row only.
    package var createIfMissing: Bool
}

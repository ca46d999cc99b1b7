/// One change to `sessions` / `subscriptions`, applied in order inside the burst's transaction;
/// `atMicros` is epoch microseconds.
package enum SessionStep: Equatable, Sendable {
    /// Closes the client's open session at this broker (if any), then opens a new one.
    case open(client: String, username: String?, atMicros: Int64)
    /// Closes the client's open session at this broker, if any.
    case close(client: String, atMicros: Int64)
    /// Upserts (client, topic) with active TRUE, the qos and the client's open session.
    case subscribe(client: String, topic: String, qos: Int, atMicros: Int64)
    /// Upserts (client, topic) with active FALSE and the client's open session.
    case unsubscribe(client: String, topic: String, atMicros: Int64)
    /// Closes every open session at this broker except those of `keep`: the broker restarted or
    /// is shutting down, so those connections are gone.
    case closeAll(except: [String], atMicros: Int64)
}

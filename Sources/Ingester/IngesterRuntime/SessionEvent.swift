/// The lifecycle of one broker connection, named as in seed 004 (mqttx's session events); each
/// state-change line carries one as `event=`.
enum SessionEvent: String {
    /// The first connect attempt starts.
    case connecting = "session_connecting"
    /// The broker accepted the connection (CONNACK).
    case connected = "session_connected"
    /// The broker acknowledged the `$SYS/broker/#` subscription (SUBACK): messages flow.
    case ready = "session_ready"
    /// An established connection dropped.
    case disconnected = "session_disconnected"
    /// A retry is under way: after a drop, or after an attempt that failed (unreachable, refused,
    /// TLS); one line per cause, not per attempt.
    case reconnecting = "session_reconnecting"
}

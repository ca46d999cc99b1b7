/// Why an MQTT wire operation failed.
package enum MQTTWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The TCP connection could not be established; carries the failing call and the errno text.
    case connectFailed(String)
    /// The peer did not send the expected bytes within the timeout.
    case timeout
    /// The peer closed (or reset) the connection.
    case closedByPeer
    /// Bytes that break the MQTT rules, received or about to be sent; names the problem.
    case protocolViolation(String)
    /// The socket was already closed by this side (`disconnect`, `dropConnection`, `resetConnection`).
    case notConnected
    /// Any other socket failure; carries the failing call and the errno text.
    case ioFailed(String)

    package var description: String {
        switch self {
        case .connectFailed(let reason): return "MQTT TCP connect failed: \(reason)"
        case .timeout: return "MQTT peer did not answer in time"
        case .closedByPeer: return "MQTT connection closed by peer"
        case .protocolViolation(let reason): return "MQTT protocol violation: \(reason)"
        case .notConnected: return "MQTT connection already closed by this client"
        case .ioFailed(let reason): return "MQTT socket error: \(reason)"
        }
    }
}

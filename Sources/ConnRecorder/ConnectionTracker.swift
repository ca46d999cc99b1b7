/// Remembers which broker connections were recorded as connected, so that every recorded
/// connection gets exactly one disconnect and nothing else gets one.
///
/// The broker raises MOSQ_EVT_DISCONNECT for connections that never reached CONNECT (failed
/// authentication, a CONNECT that could not be answered) and, with several copies of the plugin
/// loaded, calls every copy for every event. Keying on the broker's connection handle (the
/// address of its `struct mosquitto`, unique while the connection lives) filters both.
package struct ConnectionTracker: Sendable {
    /// A connection recorded as connected.
    package struct OpenConnection: Sendable, Equatable {
        package var clientID: String
        package var username: String?
        package var peer: String?
        package var `protocol`: String?
        package var details: ConnectionDetails
    }

    private var open: [UInt: OpenConnection] = [:]
    private var nextConnectionSequence: Int64 = 1

    package init() {}

    /// Number of connections currently open.
    package var count: Int { open.count }

    /// Records a connection. Returns nil when the handle is already open (a second plugin copy
    /// reporting the same event).
    package mutating func connect(
        handle: UInt, clientID: String, username: String?, peer: String?, protocol: String?, listenerPort: Int?,
        keepAliveSeconds: Int?, cleanStart: Bool?, websockets: Bool? = nil, clientCertificate: Bool? = nil
    ) -> OpenConnection? {
        if let existing = open[handle], existing.clientID == clientID { return nil }
        let details = ConnectionDetails(
            connectionSequence: nextConnectionSequence, listenerPort: listenerPort, keepAliveSeconds: keepAliveSeconds,
            cleanStart: cleanStart, websockets: websockets, clientCertificate: clientCertificate)
        nextConnectionSequence += 1
        let connection = OpenConnection(
            clientID: clientID, username: username, peer: peer, protocol: `protocol`, details: details)
        open[handle] = connection
        return connection
    }

    /// Ends a connection. Returns nil when the handle was never recorded as connected, or its
    /// disconnect was already recorded.
    package mutating func disconnect(handle: UInt) -> OpenConnection? {
        open.removeValue(forKey: handle)
    }

    /// Ends every open connection (broker shutdown), in connection order.
    package mutating func disconnectAll() -> [OpenConnection] {
        let all = open.values.sorted { $0.details.connectionSequence < $1.details.connectionSequence }
        open.removeAll()
        return all
    }
}

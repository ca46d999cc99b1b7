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
        /// The broker keeps this connection's MQTT session after it ends (MOSQ_EVT_PERSIST_CLIENT_ADD
        /// at connect, or a kept session resumed with clean start off).
        package var sessionPersistent = false
    }

    private var open: [UInt: OpenConnection] = [:]
    /// The newest open connection of each client id.
    private var handleByClientID: [String: UInt] = [:]
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
        let details = ConnectionDetails(
            connectionSequence: nextConnectionSequence, listenerPort: listenerPort, keepAliveSeconds: keepAliveSeconds,
            cleanStart: cleanStart, websockets: websockets, clientCertificate: clientCertificate)
        let connection = OpenConnection(
            clientID: clientID, username: username, peer: peer, protocol: `protocol`, details: details)
        // One hash of the handle per connect (this runs on the broker's thread for every event):
        // insert, and put the old entry back in the rare case it was this same connection.
        if let existing = open.updateValue(connection, forKey: handle), existing.clientID == clientID {
            open[handle] = existing
            return nil
        }
        nextConnectionSequence += 1
        handleByClientID[clientID] = handle
        return connection
    }

    /// Whether `clientID` has an open connection.
    package func isConnected(clientID: String) -> Bool { handleByClientID[clientID] != nil }

    /// Marks the open connection of `clientID` as having a session that outlives it.
    package mutating func markSessionPersistent(clientID: String) {
        guard let handle = handleByClientID[clientID] else { return }
        open[handle]?.sessionPersistent = true
    }

    /// Ends a connection. Returns nil when the handle was never recorded as connected, or its
    /// disconnect was already recorded.
    package mutating func disconnect(handle: UInt) -> OpenConnection? {
        guard let connection = open.removeValue(forKey: handle) else { return nil }
        // One hash of the client id: remove, and put back a newer connection's handle (a client
        // that reconnected before its old connection's disconnect).
        if let newest = handleByClientID.removeValue(forKey: connection.clientID), newest != handle {
            handleByClientID[connection.clientID] = newest
        }
        return connection
    }

    /// Ends every open connection (broker shutdown), in connection order.
    package mutating func disconnectAll() -> [OpenConnection] {
        let all = open.values.sorted { $0.details.connectionSequence < $1.details.connectionSequence }
        open.removeAll()
        handleByClientID.removeAll()
        return all
    }
}

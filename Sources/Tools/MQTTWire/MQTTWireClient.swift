/// A minimal blocking MQTT client that speaks the wire protocol directly, so tests can create exact
/// situations (clean DISCONNECT, dropped or reset socket, silent keepalive expiry, takeover,
/// malformed packets) and a load generator can open many short connections cheaply.
///
/// Every wait is bounded by `timeoutMilliseconds` (`SO_RCVTIMEO`/`SO_SNDTIMEO`) or by an explicit
/// per-call timeout. Packets that arrive while the client waits for a specific acknowledgement are
/// queued and handed out by `readPacket`. A connect, CONNACK and DISCONNECT cycle costs about ten
/// system calls.
///
/// Not thread-safe: confine each client to one thread.
package final class MQTTWireClient {
    private let socket: MQTTSocket
    /// Bytes received but not yet parsed into packets; `inboundStart` marks the first unparsed one.
    private var inbound: [UInt8] = []
    private var inboundStart = 0
    /// Packets that arrived while waiting for something else, oldest first.
    private var pending: [MQTTPacket] = []
    private var peerClosed = false
    private var lastPacketIdentifier: UInt16 = 0

    /// The protocol of the last `connect`; it decides how later packets are encoded and decoded.
    /// Set it by hand after sending a raw CONNECT.
    package var protocolVersion: MQTTProtocolVersion = .v311

    /// The reason code of the last DISCONNECT the broker sent (MQTT 5; 0 when it had no body).
    package private(set) var serverDisconnectReasonCode: UInt8?

    /// Opens the TCP connection (no MQTT traffic yet).
    ///
    /// - Parameters:
    ///   - host: an IPv4 address (or "localhost").
    ///   - timeoutMilliseconds: the longest any single send or receive may block.
    /// - Throws: `MQTTWireError.connectFailed` with the failing call and errno text.
    package init(host: String = "127.0.0.1", port: Int, timeoutMilliseconds: Int = 5000) throws(MQTTWireError) {
        socket = try MQTTSocket(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// True until this side closes the socket or the peer is seen closing it.
    package var isOpen: Bool { socket.isOpen && !peerClosed }

    // MARK: - MQTT operations

    /// Sends CONNECT and waits for CONNACK. A refusal is returned (non-zero `returnCode`), not thrown.
    ///
    /// - Parameters:
    ///   - clientID: any UTF-8 text up to 65,535 bytes.
    ///   - sessionExpiry: MQTT 5 Session Expiry Interval (property 0x11), in seconds.
    /// - Throws: `closedByPeer` when the broker closes without CONNACK, `timeout`, or
    ///   `protocolViolation` when the first packet is not a well-formed CONNACK.
    @discardableResult
    package func connect(
        clientID: String, protocol version: MQTTProtocolVersion, username: String? = nil, password: String? = nil,
        cleanSession: Bool = true, keepAlive: UInt16 = 60, sessionExpiry: UInt32? = nil, will: MQTTWill? = nil
    ) throws(MQTTWireError) -> MQTTConnAck {
        protocolVersion = version
        try socket.send(
            MQTTEncoding.connect(
                clientID: clientID, protocol: version, username: username, password: password,
                cleanSession: cleanSession, keepAlive: keepAlive, sessionExpiry: sessionExpiry, will: will))
        guard let packet = try receivePacket(timeoutMilliseconds: nil) else { throw .timeout }
        guard packet.type == .connack else { throw .protocolViolation("expected CONNACK, got \(packet.type)") }
        let body = packet.body
        guard body.count >= 2 else { throw .protocolViolation("CONNACK body of \(body.count) bytes") }
        var properties: [UInt8] = []
        if version.hasProperties {
            properties = try MQTTEncoding.decodePropertyBlock(body, at: 2).value
        }
        return MQTTConnAck(sessionPresent: body[0] & 0x01 != 0, returnCode: body[1], properties: properties)
    }

    /// Subscribes to one topic filter and waits for SUBACK.
    /// - Returns: the granted QoS or reason codes from SUBACK (one per filter, so one element).
    @discardableResult
    package func subscribe(topic: String, qos: UInt8 = 0) throws(MQTTWireError) -> [UInt8] {
        let identifier = nextPacketIdentifier()
        try socket.send(
            MQTTEncoding.subscribe(packetIdentifier: identifier, topic: topic, qos: qos, protocol: protocolVersion))
        let body = try awaitAcknowledgement(.suback, packetIdentifier: identifier).body
        return try codesAfterIdentifier(body)
    }

    /// Unsubscribes from one topic filter and waits for UNSUBACK.
    /// - Returns: MQTT 5 reason codes (empty before MQTT 5, whose UNSUBACK carries none).
    @discardableResult
    package func unsubscribe(topic: String) throws(MQTTWireError) -> [UInt8] {
        let identifier = nextPacketIdentifier()
        try socket.send(
            MQTTEncoding.unsubscribe(packetIdentifier: identifier, topic: topic, protocol: protocolVersion))
        let body = try awaitAcknowledgement(.unsuback, packetIdentifier: identifier).body
        return try codesAfterIdentifier(body)
    }

    /// Publishes a message. QoS 0 returns once the bytes are written; QoS 1 waits for PUBACK.
    /// - Precondition: `qos` is 0 or 1.
    package func publish(topic: String, payload: [UInt8], qos: UInt8 = 0, retain: Bool = false)
        throws(MQTTWireError)
    {
        precondition(qos <= 1, "MQTTWireClient.publish supports QoS 0 and 1; send QoS 2 flows with sendRaw")
        let identifier: UInt16 = qos == 0 ? 0 : nextPacketIdentifier()
        try socket.send(
            MQTTEncoding.publish(
                topic: topic, payload: payload, qos: qos, retain: retain, packetIdentifier: identifier,
                protocol: protocolVersion))
        if qos == 1 { _ = try awaitAcknowledgement(.puback, packetIdentifier: identifier) }
    }

    /// Publishes UTF-8 text.
    package func publish(topic: String, payload: String, qos: UInt8 = 0, retain: Bool = false)
        throws(MQTTWireError)
    {
        try publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    /// Acknowledges an inbound QoS 1 message.
    package func acknowledge(_ message: MQTTPublish) throws(MQTTWireError) {
        guard let identifier = message.packetIdentifier else { return }
        try socket.send(MQTTEncoding.puback(packetIdentifier: identifier))
    }

    /// Sends PINGREQ and waits for PINGRESP.
    package func ping() throws(MQTTWireError) {
        try socket.send(MQTTEncoding.pingreq)
        _ = try awaitAcknowledgement(.pingresp, packetIdentifier: nil)
    }

    // MARK: - Ending the connection

    /// Sends DISCONNECT and closes the socket: a clean, client-initiated disconnect. Never throws;
    /// a broker that already went away simply gets no DISCONNECT.
    ///
    /// - Parameters:
    ///   - reasonCode: MQTT 5 reason code (ignored before MQTT 5); nil sends the short form (0x00).
    ///   - waitForClose: when true, waits (up to the socket timeout) for the broker to close its end
    ///     before returning, so the broker has certainly processed the DISCONNECT.
    package func disconnect(reasonCode: UInt8? = nil, waitForClose: Bool = false) {
        guard socket.isOpen else { return }
        if !peerClosed {
            try? socket.send(MQTTEncoding.disconnect(reasonCode: reasonCode, protocol: protocolVersion))
            if waitForClose {
                _ = try? drain(timeoutMilliseconds: nil)
            } else {
                // Unread bytes at close() make Linux send an RST instead of a FIN, which would turn
                // this clean disconnect into an abortive one; one non-blocking read clears them.
                _ = try? drain(timeoutMilliseconds: 0)
            }
        }
        socket.close()
    }

    /// Closes the socket without DISCONNECT (a FIN): the broker sees an unexpected disconnect and
    /// sends any will.
    package func dropConnection() {
        socket.close()
    }

    /// Closes the socket abortively with `SO_LINGER` {on, 0}, so the broker receives an RST.
    package func resetConnection() {
        socket.closeWithReset()
    }

    /// Waits until the broker closes the connection, discarding (but tracking DISCONNECT from)
    /// anything it sends meanwhile.
    /// - Returns: true when the broker closed or reset the connection, false when it was still open
    ///   after `timeoutMilliseconds`.
    package func waitForClose(timeoutMilliseconds: Int) -> Bool {
        guard socket.isOpen else { return true }
        if peerClosed {
            socket.close()
            return true
        }
        do {
            if try drain(timeoutMilliseconds: timeoutMilliseconds) {
                socket.close()
                return true
            }
            return false
        } catch {
            // A read failure other than a close still means this connection is unusable.
            socket.close()
            return true
        }
    }

    // MARK: - Raw access

    /// Writes arbitrary bytes, e.g. a malformed packet.
    package func sendRaw(_ bytes: [UInt8]) throws(MQTTWireError) {
        try socket.send(bytes)
    }

    /// Returns the next packet from the broker (queued ones first).
    ///
    /// - Parameter timeoutMilliseconds: the longest to wait; nil uses the client's socket timeout.
    /// - Returns: the packet, or nil when none arrived in time.
    /// - Throws: `closedByPeer` when the broker closed the connection, `protocolViolation` for bytes
    ///   that are not an MQTT packet.
    package func readPacket(timeoutMilliseconds: Int? = nil) throws(MQTTWireError) -> MQTTPacket? {
        if !pending.isEmpty { return pending.removeFirst() }
        return try receivePacket(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Reads packets until a PUBLISH arrives, queueing the others.
    /// - Returns: the decoded message, or nil when none arrived in time.
    package func readPublish(timeoutMilliseconds: Int? = nil) throws(MQTTWireError) -> MQTTPublish? {
        if let index = pending.firstIndex(where: { $0.type == .publish }) {
            return try MQTTPublish(pending.remove(at: index), version: protocolVersion)
        }
        let deadline = timeoutMilliseconds.map { ContinuousClock.now.advanced(by: .milliseconds($0)) }
        while true {
            guard let packet = try receivePacket(timeoutMilliseconds: Self.remaining(until: deadline)) else {
                return nil
            }
            if packet.type == .publish { return try MQTTPublish(packet, version: protocolVersion) }
            pending.append(packet)
        }
    }

    // MARK: - Internals

    private func nextPacketIdentifier() -> UInt16 {
        lastPacketIdentifier = lastPacketIdentifier == UInt16.max ? 1 : lastPacketIdentifier + 1
        return lastPacketIdentifier
    }

    /// Waits for a packet of `type` (with `packetIdentifier` when given), queueing others.
    private func awaitAcknowledgement(_ type: MQTTPacketType, packetIdentifier: UInt16?) throws(MQTTWireError)
        -> MQTTPacket
    {
        while true {
            guard let packet = try receivePacket(timeoutMilliseconds: nil) else { throw .timeout }
            if packet.type == type {
                guard let packetIdentifier else { return packet }
                let body = packet.body
                if body.count >= 2, UInt16(body[0]) << 8 | UInt16(body[1]) == packetIdentifier { return packet }
            }
            pending.append(packet)
        }
    }

    /// The codes after the packet identifier (and MQTT 5 properties) of SUBACK or UNSUBACK.
    private func codesAfterIdentifier(_ body: [UInt8]) throws(MQTTWireError) -> [UInt8] {
        var offset = 2
        if protocolVersion.hasProperties {
            offset = try MQTTEncoding.decodePropertyBlock(body, at: offset).next
        }
        return offset < body.count ? Array(body[offset...]) : []
    }

    /// Reads until the peer closes. Returns true on close, false when `timeoutMilliseconds` passed
    /// (nil: one socket timeout; 0: only what is already buffered in the kernel).
    private func drain(timeoutMilliseconds: Int?) throws(MQTTWireError) -> Bool {
        let deadline = timeoutMilliseconds.map { ContinuousClock.now.advanced(by: .milliseconds($0)) }
        while true {
            do {
                let wait = timeoutMilliseconds == 0 ? 0 : Self.remaining(until: deadline)
                guard try receivePacket(timeoutMilliseconds: wait) != nil else { return false }
            } catch .closedByPeer {
                return true
            } catch .protocolViolation {
                // Not MQTT any more; drop what is buffered and keep waiting for the close.
                inbound.removeAll(keepingCapacity: true)
                inboundStart = 0
            }
        }
    }

    /// Milliseconds left until `deadline` (at least 1 so poll still checks), or nil without one.
    private static func remaining(until deadline: ContinuousClock.Instant?) -> Int? {
        guard let deadline else { return nil }
        let (seconds, attoseconds) = ContinuousClock.now.duration(to: deadline).components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Parses one packet from the buffer, reading from the socket as needed.
    /// - Returns: nil when the wait ended without a complete packet (bytes read so far stay buffered).
    private func receivePacket(timeoutMilliseconds: Int?) throws(MQTTWireError) -> MQTTPacket? {
        let deadline = timeoutMilliseconds.map { ContinuousClock.now.advanced(by: .milliseconds($0)) }
        while true {
            if let packet = try parseBufferedPacket() {
                if packet.type == .disconnect { serverDisconnectReasonCode = packet.body.first ?? 0 }
                return packet
            }
            if peerClosed { throw .closedByPeer }
            let wait: Int? = timeoutMilliseconds == 0 ? 0 : Self.remaining(until: deadline)
            if let deadline, timeoutMilliseconds != 0, ContinuousClock.now >= deadline { return nil }
            switch try socket.receive(into: &inbound, timeoutMilliseconds: wait) {
            case .bytes: continue
            case .timedOut: return nil
            case .endOfStream:
                peerClosed = true
                throw .closedByPeer
            }
        }
    }

    /// Takes one complete packet off the front of the buffer, if there is one.
    private func parseBufferedPacket() throws(MQTTWireError) -> MQTTPacket? {
        guard inboundStart < inbound.count else { return nil }
        guard let length = try MQTTEncoding.decodeRemainingLength(inbound, at: inboundStart + 1) else { return nil }
        let end = length.next + length.value
        guard end <= inbound.count else { return nil }
        let first = inbound[inboundStart]
        let packet = MQTTPacket(
            type: MQTTPacketType(headerByte: first), flags: first & 0x0F, body: Array(inbound[length.next..<end]))
        inboundStart = end
        if inboundStart == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            inboundStart = 0
        } else if inboundStart > 65536 {
            inbound.removeFirst(inboundStart)
            inboundStart = 0
        }
        return packet
    }
}

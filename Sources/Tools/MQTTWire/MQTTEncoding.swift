/// Pure encoders and decoders for the MQTT wire format (3.1, 3.1.1 and 5), shared by the client and
/// usable on their own to build exact or deliberately broken packets.
package enum MQTTEncoding {
    /// The largest value a remaining length (four varint bytes) can carry.
    package static let maximumRemainingLength = 268_435_455

    // MARK: - Primitives

    /// The variable byte integer encoding of a remaining length (1 to 4 bytes).
    /// - Throws: `protocolViolation` when `value` is negative or above 268,435,455.
    package static func remainingLength(_ value: Int) throws(MQTTWireError) -> [UInt8] {
        guard value >= 0, value <= maximumRemainingLength else {
            throw .protocolViolation("remaining length \(value) is outside 0...\(maximumRemainingLength)")
        }
        var result: [UInt8] = []
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest > 0 { byte |= 0x80 }
            result.append(byte)
        } while rest > 0
        return result
    }

    /// Decodes a variable byte integer starting at `offset`.
    /// - Returns: the value and the offset after it, or nil when `bytes` ends before the integer does.
    /// - Throws: `protocolViolation` when a fourth byte still has its continuation bit set.
    package static func decodeRemainingLength(_ bytes: [UInt8], at offset: Int) throws(MQTTWireError)
        -> (value: Int, next: Int)?
    {
        var value = 0
        var multiplier = 1
        var index = offset
        for _ in 0..<4 {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            index += 1
            value += Int(byte & 0x7F) * multiplier
            if byte & 0x80 == 0 { return (value, index) }
            multiplier *= 128
        }
        throw .protocolViolation("variable byte integer longer than 4 bytes")
    }

    /// A UTF-8 string with its 2-byte big-endian length prefix.
    /// - Throws: `protocolViolation` when the UTF-8 form exceeds 65,535 bytes.
    package static func string(_ text: String) throws(MQTTWireError) -> [UInt8] {
        try binary(Array(text.utf8), what: "string")
    }

    /// Binary data with its 2-byte big-endian length prefix.
    /// - Throws: `protocolViolation` when `data` exceeds 65,535 bytes.
    package static func binary(_ data: [UInt8], what: String = "binary data") throws(MQTTWireError) -> [UInt8] {
        guard data.count <= Int(UInt16.max) else {
            throw .protocolViolation("\(what) of \(data.count) bytes exceeds 65535")
        }
        return [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    /// Decodes a length-prefixed UTF-8 string at `offset`.
    /// - Throws: `protocolViolation` when the bytes end early or are not UTF-8.
    package static func decodeString(_ bytes: [UInt8], at offset: Int) throws(MQTTWireError)
        -> (value: String, next: Int)
    {
        let decoded = try decodeBinary(bytes, at: offset)
        guard let text = String(validating: decoded.value, as: UTF8.self) else {
            throw .protocolViolation("string at offset \(offset) is not valid UTF-8")
        }
        return (text, decoded.next)
    }

    /// Decodes length-prefixed binary data at `offset`.
    /// - Throws: `protocolViolation` when the bytes end early.
    package static func decodeBinary(_ bytes: [UInt8], at offset: Int) throws(MQTTWireError)
        -> (value: [UInt8], next: Int)
    {
        guard offset >= 0, offset + 2 <= bytes.count else {
            throw .protocolViolation("length prefix at offset \(offset) runs past the packet")
        }
        let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        let start = offset + 2
        guard start + length <= bytes.count else {
            throw .protocolViolation("\(length)-byte field at offset \(offset) runs past the packet")
        }
        return (Array(bytes[start..<(start + length)]), start + length)
    }

    /// Decodes an MQTT 5 property block (length varint, then properties) at `offset`.
    /// - Returns: the raw property bytes without the length, and the offset after the block.
    package static func decodePropertyBlock(_ bytes: [UInt8], at offset: Int) throws(MQTTWireError)
        -> (value: [UInt8], next: Int)
    {
        // A packet that ends right where the properties would start has none (allowed for
        // several MQTT 5 acknowledgements).
        if offset == bytes.count { return ([], offset) }
        guard let length = try decodeRemainingLength(bytes, at: offset) else {
            throw .protocolViolation("property length at offset \(offset) runs past the packet")
        }
        guard length.next + length.value <= bytes.count else {
            throw .protocolViolation("\(length.value) bytes of properties run past the packet")
        }
        return (Array(bytes[length.next..<(length.next + length.value)]), length.next + length.value)
    }

    /// Splits raw MQTT 5 properties into (identifier, value bytes) in wire order. Value bytes are
    /// as on the wire: integers big-endian, strings and binary data with their length prefix.
    /// - Throws: `protocolViolation` for an unknown identifier or a truncated value.
    package static func properties(_ raw: [UInt8]) throws(MQTTWireError) -> [(identifier: UInt8, value: [UInt8])] {
        var result: [(identifier: UInt8, value: [UInt8])] = []
        var offset = 0
        while offset < raw.count {
            let identifier = raw[offset]
            offset += 1
            let size: Int
            switch identifier {
            case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A:
                size = 1
            case 0x13, 0x21, 0x22, 0x23:
                size = 2
            case 0x02, 0x11, 0x18, 0x27:
                size = 4
            case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F:
                size = try decodeBinary(raw, at: offset).next - offset
            case 0x26:
                let key = try decodeBinary(raw, at: offset)
                size = try decodeBinary(raw, at: key.next).next - offset
            case 0x0B:
                guard let varint = try decodeRemainingLength(raw, at: offset) else {
                    throw .protocolViolation("truncated subscription identifier property")
                }
                size = varint.next - offset
            default:
                throw .protocolViolation("unknown property identifier 0x\(String(identifier, radix: 16))")
            }
            guard offset + size <= raw.count else {
                throw .protocolViolation("property 0x\(String(identifier, radix: 16)) runs past the block")
            }
            result.append((identifier, Array(raw[offset..<(offset + size)])))
            offset += size
        }
        return result
    }

    // MARK: - Packets

    /// A whole packet: first byte, remaining length, body.
    package static func packet(_ type: MQTTPacketType, flags: UInt8 = 0, body: [UInt8]) throws(MQTTWireError)
        -> [UInt8]
    {
        var result: [UInt8] = [type.rawValue << 4 | (flags & 0x0F)]
        result.reserveCapacity(body.count + 5)
        result += try remainingLength(body.count)
        result += body
        return result
    }

    /// A CONNECT packet.
    ///
    /// - Parameters:
    ///   - clientID: any UTF-8 text up to 65,535 bytes (empty asks the broker to assign one).
    ///   - sessionExpiry: MQTT 5 only: the Session Expiry Interval property (0x11) in seconds.
    /// - Throws: `protocolViolation` when a string is too long for its 2-byte length.
    package static func connect(
        clientID: String, protocol version: MQTTProtocolVersion, username: String? = nil, password: String? = nil,
        cleanSession: Bool = true, keepAlive: UInt16 = 60, sessionExpiry: UInt32? = nil, will: MQTTWill? = nil
    ) throws(MQTTWireError) -> [UInt8] {
        var flags: UInt8 = 0
        if username != nil { flags |= 0x80 }
        if password != nil { flags |= 0x40 }
        if let will {
            flags |= 0x04 | (will.qos & 0x03) << 3
            if will.retain { flags |= 0x20 }
        }
        if cleanSession { flags |= 0x02 }
        var body = try string(version.protocolName)
        body.append(version.level)
        body.append(flags)
        body += uint16(keepAlive)
        if version.hasProperties {
            var properties: [UInt8] = []
            if let sessionExpiry { properties += [0x11] + uint32(sessionExpiry) }
            body += try remainingLength(properties.count) + properties
        }
        body += try string(clientID)
        if let will {
            if version.hasProperties { body.append(0) }  // no will properties
            body += try string(will.topic)
            body += try binary(will.payload, what: "will payload")
        }
        if let username { body += try string(username) }
        if let password { body += try binary(Array(password.utf8), what: "password") }
        return try packet(.connect, body: body)
    }

    /// A SUBSCRIBE packet for one topic filter (flags 0b0010 as the spec requires).
    package static func subscribe(
        packetIdentifier: UInt16, topic: String, qos: UInt8, protocol version: MQTTProtocolVersion
    ) throws(MQTTWireError) -> [UInt8] {
        var body = uint16(packetIdentifier)
        if version.hasProperties { body.append(0) }
        body += try string(topic)
        body.append(qos & 0x03)
        return try packet(.subscribe, flags: 0x02, body: body)
    }

    /// An UNSUBSCRIBE packet for one topic filter (flags 0b0010 as the spec requires).
    package static func unsubscribe(packetIdentifier: UInt16, topic: String, protocol version: MQTTProtocolVersion)
        throws(MQTTWireError) -> [UInt8]
    {
        var body = uint16(packetIdentifier)
        if version.hasProperties { body.append(0) }
        body += try string(topic)
        return try packet(.unsubscribe, flags: 0x02, body: body)
    }

    /// A PUBLISH packet; `packetIdentifier` is required for QoS 1 and 2 and ignored for QoS 0.
    package static func publish(
        topic: String, payload: [UInt8], qos: UInt8 = 0, retain: Bool = false, packetIdentifier: UInt16 = 0,
        protocol version: MQTTProtocolVersion
    ) throws(MQTTWireError) -> [UInt8] {
        var body = try string(topic)
        if qos > 0 { body += uint16(packetIdentifier) }
        if version.hasProperties { body.append(0) }
        body += payload
        return try packet(.publish, flags: (qos & 0x03) << 1 | (retain ? 1 : 0), body: body)
    }

    /// A PUBACK for an inbound QoS 1 PUBLISH.
    package static func puback(packetIdentifier: UInt16) -> [UInt8] {
        [MQTTPacketType.puback.rawValue << 4, 2] + uint16(packetIdentifier)
    }

    /// PINGREQ: always `C0 00`.
    package static let pingreq: [UInt8] = [MQTTPacketType.pingreq.rawValue << 4, 0]

    /// A DISCONNECT packet. Before MQTT 5 it has no body and `reasonCode` is ignored; in MQTT 5 a
    /// reason code is sent as a one-byte body (the property length may then be omitted).
    package static func disconnect(reasonCode: UInt8? = nil, protocol version: MQTTProtocolVersion) -> [UInt8] {
        let type = MQTTPacketType.disconnect.rawValue << 4
        guard version.hasProperties, let reasonCode else { return [type, 0] }
        return [type, 1, reasonCode]
    }

    // MARK: - Integers

    package static func uint16(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    package static func uint32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}

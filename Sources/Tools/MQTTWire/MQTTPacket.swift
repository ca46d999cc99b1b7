/// One control packet as read from the wire: its type, the fixed header's flag nibble and the
/// bytes after the remaining length (variable header and payload).
package struct MQTTPacket: Sendable, Hashable, CustomStringConvertible {
    package let type: MQTTPacketType
    /// The low nibble of the first byte (PUBLISH: dup, QoS, retain; fixed values for the others).
    package let flags: UInt8
    /// Everything after the remaining length.
    package let body: [UInt8]

    package init(type: MQTTPacketType, flags: UInt8, body: [UInt8]) {
        self.type = type
        self.flags = flags & 0x0F
        self.body = body
    }

    /// The packet serialized again: first byte, remaining length, body.
    package var bytes: [UInt8] {
        // The body came from, or is meant for, a single packet, so its length always fits.
        var result = [type.rawValue << 4 | flags]
        result += (try? MQTTEncoding.remainingLength(body.count)) ?? []
        result += body
        return result
    }

    package var description: String {
        "\(type)(flags: \(flags), \(body.count) body bytes)"
    }
}

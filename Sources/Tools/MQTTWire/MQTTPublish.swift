/// An application message decoded from an inbound PUBLISH packet.
package struct MQTTPublish: Sendable, Hashable {
    package let topic: String
    package let payload: [UInt8]
    package let qos: UInt8
    package let retain: Bool
    package let duplicate: Bool
    /// The packet identifier for QoS 1 and 2; nil for QoS 0.
    package let packetIdentifier: UInt16?
    /// MQTT 5 properties, raw (empty before MQTT 5).
    package let properties: [UInt8]

    /// The payload as UTF-8 text (invalid sequences repaired).
    package var payloadText: String { String(decoding: payload, as: UTF8.self) }

    /// Decodes `packet`, which must be a PUBLISH sent under `version`.
    /// - Throws: `MQTTWireError.protocolViolation` naming what is malformed.
    package init(_ packet: MQTTPacket, version: MQTTProtocolVersion) throws(MQTTWireError) {
        guard packet.type == .publish else {
            throw .protocolViolation("expected PUBLISH, got \(packet.type)")
        }
        qos = (packet.flags >> 1) & 0x03
        retain = packet.flags & 0x01 != 0
        duplicate = packet.flags & 0x08 != 0
        let body = packet.body
        let decodedTopic = try MQTTEncoding.decodeString(body, at: 0)
        topic = decodedTopic.value
        var offset = decodedTopic.next
        if qos > 0 {
            guard offset + 2 <= body.count else { throw .protocolViolation("PUBLISH without packet identifier") }
            packetIdentifier = UInt16(body[offset]) << 8 | UInt16(body[offset + 1])
            offset += 2
        } else {
            packetIdentifier = nil
        }
        if version.hasProperties {
            let decoded = try MQTTEncoding.decodePropertyBlock(body, at: offset)
            properties = decoded.value
            offset = decoded.next
        } else {
            properties = []
        }
        payload = Array(body[offset...])
    }
}

/// The broker's answer to CONNECT.
package struct MQTTConnAck: Sendable, Hashable {
    /// The CONNACK "session present" flag.
    package let sessionPresent: Bool
    /// The MQTT 3.x return code or the MQTT 5 reason code; 0 means accepted.
    package let returnCode: UInt8
    /// MQTT 5 CONNACK properties, raw (empty before MQTT 5).
    package let properties: [UInt8]

    package init(sessionPresent: Bool, returnCode: UInt8, properties: [UInt8] = []) {
        self.sessionPresent = sessionPresent
        self.returnCode = returnCode
        self.properties = properties
    }

    /// The MQTT 5 name for `returnCode`.
    package var reasonCode: UInt8 { returnCode }

    /// True when the broker accepted the connection.
    package var isAccepted: Bool { returnCode == 0 }

    /// The MQTT 5 Assigned Client Identifier property (0x12), if the broker sent one.
    package var assignedClientIdentifier: String? {
        guard let all = try? MQTTEncoding.properties(properties),
            let property = all.first(where: { $0.identifier == 0x12 })
        else { return nil }
        return try? MQTTEncoding.decodeString(property.value, at: 0).value
    }
}

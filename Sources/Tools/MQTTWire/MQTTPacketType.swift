/// The control packet type in the high nibble of a fixed header's first byte.
///
/// All sixteen values are named (0 is reserved, 15 is MQTT 5's AUTH), so any byte maps to a case.
package enum MQTTPacketType: UInt8, Sendable, Hashable, CaseIterable {
    case reserved = 0
    case connect = 1
    case connack = 2
    case publish = 3
    case puback = 4
    case pubrec = 5
    case pubrel = 6
    case pubcomp = 7
    case subscribe = 8
    case suback = 9
    case unsubscribe = 10
    case unsuback = 11
    case pingreq = 12
    case pingresp = 13
    case disconnect = 14
    case auth = 15

    /// The type of a fixed header's first byte (its high nibble).
    package init(headerByte: UInt8) {
        // Every nibble value has a case, so the force unwrap cannot fail.
        self = MQTTPacketType(rawValue: headerByte >> 4)!
    }
}

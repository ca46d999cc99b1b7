/// The MQTT protocol revisions a client can speak; each maps to the protocol name and level of CONNECT.
package enum MQTTProtocolVersion: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// MQTT 3.1: protocol name "MQIsdp", level 3.
    case v31
    /// MQTT 3.1.1: protocol name "MQTT", level 4.
    case v311
    /// MQTT 5.0: protocol name "MQTT", level 5.
    case v5

    /// The protocol name carried in the CONNECT variable header.
    package var protocolName: String {
        switch self {
        case .v31: return "MQIsdp"
        case .v311, .v5: return "MQTT"
        }
    }

    /// The protocol level byte of CONNECT.
    package var level: UInt8 {
        switch self {
        case .v31: return 3
        case .v311: return 4
        case .v5: return 5
        }
    }

    /// True for MQTT 5, whose packets carry properties.
    package var hasProperties: Bool { self == .v5 }

    package var description: String {
        switch self {
        case .v31: return "MQTT 3.1"
        case .v311: return "MQTT 3.1.1"
        case .v5: return "MQTT 5"
        }
    }
}

/// How to reach the broker, after validation of the command line.
struct BrokerSettings: Sendable {
    /// The MQTT protocol versions libmosquitto speaks.
    enum ProtocolVersion: String, Sendable, CaseIterable {
        case mqttv31, mqttv311, mqttv5

        /// The value of `MOSQ_OPT_PROTOCOL_VERSION` (`MQTT_PROTOCOL_V31` = 3, `V311` = 4, `V5` = 5).
        var optionValue: Int32 {
            switch self {
            case .mqttv31: 3
            case .mqttv311: 4
            case .mqttv5: 5
            }
        }
    }

    struct TLS: Sendable {
        var caFile: String?
        var caPath: String?
        var certFile: String?
        var keyFile: String?
        var insecure: Bool
    }

    var host: String
    var port: Int
    var clientID: String
    var username: String?
    var password: String?
    var protocolVersion: ProtocolVersion
    var keepalive: Int
    var tls: TLS?
}

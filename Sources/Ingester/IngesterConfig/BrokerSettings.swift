/// How to reach one broker, after validation (of the command line or of one `brokers` entry).
package struct BrokerSettings: Sendable, Equatable {
    /// The MQTT protocol versions libmosquitto speaks.
    package enum ProtocolVersion: String, Sendable, CaseIterable {
        case mqttv31, mqttv311, mqttv5

        /// The value of `MOSQ_OPT_PROTOCOL_VERSION` (`MQTT_PROTOCOL_V31` = 3, `V311` = 4, `V5` = 5).
        package var optionValue: Int32 {
            switch self {
            case .mqttv31: 3
            case .mqttv311: 4
            case .mqttv5: 5
            }
        }
    }

    /// TLS to the broker; libmosquitto reads the files when it connects.
    package struct TLS: Sendable, Equatable {
        package var caFile: String?
        package var caPath: String?
        package var certFile: String?
        package var keyFile: String?
        package var insecure: Bool

        package init(
            caFile: String?, caPath: String?, certFile: String?, keyFile: String?, insecure: Bool
        ) {
            self.caFile = caFile
            self.caPath = caPath
            self.certFile = certFile
            self.keyFile = keyFile
            self.insecure = insecure
        }
    }

    /// The `broker` column of every row from this broker, and `sys.broker` in log lines.
    package var name: String
    package var host: String
    package var port: Int
    package var clientID: String
    package var username: String?
    /// Never logged, never part of a description.
    package var password: String?
    package var protocolVersion: ProtocolVersion
    package var keepalive: Int
    package var tls: TLS?

    package init(
        name: String, host: String, port: Int, clientID: String, username: String?, password: String?,
        protocolVersion: ProtocolVersion, keepalive: Int, tls: TLS?
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.clientID = clientID
        self.username = username
        self.password = password
        self.protocolVersion = protocolVersion
        self.keepalive = keepalive
        self.tls = tls
    }
}

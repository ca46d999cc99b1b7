/// A will message to put into CONNECT; the broker publishes it when the connection ends uncleanly.
package struct MQTTWill: Sendable, Hashable {
    package var topic: String
    package var payload: [UInt8]
    package var qos: UInt8
    package var retain: Bool

    package init(topic: String, payload: [UInt8], qos: UInt8 = 0, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

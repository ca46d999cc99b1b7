/// What the broker connection hands to the writer, in arrival order.
package enum IngestInput: Equatable, Sendable {
    /// A message under `$SYS/broker/`, copied out of libmosquitto.
    /// - receivedAt: ingest time, seconds since the epoch.
    case message(topic: String, payload: String, receivedAt: Double)
    /// The ingester's MQTT connection was (re)established. Everything received after it comes from
    /// the broker process now running, which is what the restart rule relies on.
    case brokerConnected(at: Double)
}

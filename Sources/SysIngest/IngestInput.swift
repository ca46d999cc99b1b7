/// What the broker connection hands to the writer, in arrival order.
package enum IngestInput: Equatable, Sendable {
    /// A message under `$SYS/broker/`, copied out of libmosquitto.
    /// - receivedAt: ingest time, seconds since the epoch.
    case message(topic: String, payload: String, receivedAt: Double)
    /// The ingester's MQTT connection was (re)established. Everything received after it comes from
    /// the broker process now running, which is what the restart rule relies on.
    case brokerConnected(at: Double)
}

/// An input tagged with the broker it came from, as the one queue every broker connection feeds
/// holds it.
package struct BrokerInput: Equatable, Sendable {
    /// The broker's position in the ingester's broker list (the `--config` file's order; 0 for the
    /// command line's single broker).
    package var broker: Int
    package var input: IngestInput

    package init(broker: Int, _ input: IngestInput) {
        self.broker = broker
        self.input = input
    }
}

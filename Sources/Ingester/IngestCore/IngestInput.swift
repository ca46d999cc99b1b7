/// What the broker connection hands to the writer, in arrival order.
package enum IngestInput: Equatable, Sendable {
    /// A message under `$SYS/broker/`, copied out of libmosquitto.
    /// - receivedAtMicros: ingest time, microseconds since the epoch.
    case message(topic: String, payload: String, receivedAtMicros: Int64)
    /// The ingester's MQTT connection was (re)established. Everything received after it comes from
    /// the broker process now running, which is what the restart rule relies on.
    /// - sessionResumed: the broker kept our session (CONNACK's session present), so it queued
    ///   the log lines published while we were away, up to their 20 s expiry.
    case brokerConnected(atMicros: Int64, sessionResumed: Bool = false)
    /// The established connection ended (not at our own stop).
    case brokerDisconnected(atMicros: Int64)
    /// After the connection ended at `atMicros`, the broker refused a TCP connection: its process is
    /// gone (stopped, crashed, restarting), and its clients' connections ended with ours.
    case brokerStopped(atMicros: Int64)
    /// The connected broker stopped publishing `$SYS/broker/uptime`: nothing newer than
    /// `sinceMicros` while it used to publish every `expectedEvery`.
    case brokerSilent(sinceMicros: Int64, expectedEvery: Duration)
    /// A silent broker publishes again.
    case brokerPublishing(atMicros: Int64)
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

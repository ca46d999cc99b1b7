import Locking

/// What a `BrokerSession` needs from its MQTT connection: the seam between the ingester's broker
/// rules (pure Swift, unit-tested) and libmosquitto. `MosquittoClient` is the real connection;
/// the unit tests use a fake that records what the session asked for and reports events by
/// calling the session's methods, as libmosquitto's callbacks do.
package protocol BrokerConnection: AnyObject, Sendable {
    /// Starts connecting on a thread of the connection's own and returns at once. Everything that
    /// happens on the connection is reported to `session`, on that thread.
    /// - Throws: `PosixThreadError` when the thread cannot start.
    func start(reportingTo session: BrokerSession) throws(PosixThreadError)
    /// Sends a SUBSCRIBE to `topic` at `qos`.
    /// - Returns: the message id its SUBACK will carry.
    /// - Throws: `MosquittoError` when the request could not be sent.
    func subscribe(to topic: String, qos: Int32) throws(MosquittoError) -> Int32
    /// Publishes an empty QoS 0 message to `topic`, without waiting for anything.
    func publishEmpty(to topic: String)
    /// Whether the broker's process is gone: a TCP connect to its port is refused.
    func refusesConnections() -> Bool
    /// Disconnects and returns at once; the connection's thread ends soon after.
    func disconnect()
    /// Waits until the connection's thread has ended, at most until `deadline` (monotonic microseconds).
    func waitUntilStopped(untilMicroseconds deadline: Int64)
}

/// Why a connection attempt or a connection ended, copied out of libmosquitto's return code and
/// errno at once (the next call may change errno), so the session can log it without C.
package struct BrokerFailure: Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for `mqtt.error` (`mosquitto_strerror`, or `strerror` of the saved errno).
    package var description: String
    /// An OpenSSL failure: `MOSQ_ERR_TLS`, or errno `EPROTO` (libmosquitto's own test).
    package var isTLSFailure: Bool

    package init(description: String, isTLSFailure: Bool) {
        self.description = description
        self.isTLSFailure = isTLSFailure
    }
}

import Storage

/// The default MQTT client id: the same for the same configuration, so that a restarted ingester
/// resumes its persistent session at the broker (and gets the log lines the broker queued for
/// it), and different for different brokers, names or databases, so that two ingesters (or two
/// entries of one file reaching the same broker) never take each other's session over.
package enum StableClientID {
    /// `sys-ingester-` and 8 hex digits: 21 bytes, within MQTT 3.1's 23.
    package static let prefix = "sys-ingester-"

    /// - Parameters:
    ///   - database: the libpq connection string; its password is not part of the id (changing a
    ///     password keeps the session).
    package static func make(name: String, host: String, port: Int, username: String?, database: String) -> String {
        var database = database
        if var fields = try? ConnectionString.parse(database) {
            fields["password"] = nil
            database = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        let identity = [name, host, String(port), username ?? "", database].joined(separator: "\u{0}")
        // FNV-1a, 64 bits, folded to 32: stable across processes and Swift versions (Hasher is not).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in identity.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let folded = UInt32(truncatingIfNeeded: hash ^ (hash >> 32))
        let hex = String(folded, radix: 16)
        return prefix + String(repeating: "0", count: 8 - hex.count) + hex
    }
}

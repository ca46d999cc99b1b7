/// What to tell the operator when libpq could not set up TLS to the server.
///
/// libpq's own words name the problem ("SSL error: certificate verify failed") but not which
/// connection parameter to change, and a plugin's log line is read by someone looking at a
/// broker, not at libpq's manual. The hint names the parameter. Matched on libpq 15's messages
/// (fe-secure-openssl.c); an unknown message gets no hint, never a wrong one.
package enum TLSConnectionHint {
    /// - Parameter message: libpq's connection error message (one line, as `PostgresError` keeps it).
    /// - Returns: the hint, or nil when the message is not one of libpq's TLS setup failures.
    package static func hint(forConnectionMessage message: String) -> String? {
        if message.contains("certificate verify failed") {
            return "the server's certificate is not signed by a CA in the sslrootcert file (or it expired): "
                + "check that sslrootcert names the CA that signed it"
        }
        if message.contains("server certificate for") && message.contains("does not match host name") {
            return "the server's certificate was issued for another name: connect with a host it names, "
                + "or add this host to its subjectAltName"
        }
        if message.contains("root certificate file") {
            return "sslrootcert must name a CA file that the user this program runs as can read "
                + "(the broker's user, usually mosquitto, for the plugin)"
        }
        if message.contains("server does not support SSL") {
            return "the server has ssl off: turn it on there, or lower sslmode"
        }
        return nil
    }
}

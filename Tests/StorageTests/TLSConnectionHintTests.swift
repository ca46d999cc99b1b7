import Storage
import Testing

/// The hint names the connection parameter at fault; the messages are libpq 15's, as psql printed
/// them against a scratch server with ssl on.
@Suite struct TLSConnectionHintTests {
    private func described(_ libpqMessage: String) -> String {
        "\(PostgresError(kind: .connection, message: libpqMessage))"
    }

    @Test func certificateSignedByAnotherCANamesSslrootcert() {
        let text = described("connection to server at \"127.0.0.1\", port 5432 failed: SSL error: certificate verify failed\n")
        #expect(text.hasPrefix("PostgreSQL connection failed: connection to server at"))
        #expect(text.contains("SSL error: certificate verify failed (hint: "))
        #expect(text.contains("check that sslrootcert names the CA that signed it"))
    }

    @Test func certificateForAnotherHostNamesSubjectAltName() {
        let hint = TLSConnectionHint.hint(
            forConnectionMessage:
                "connection to server at \"127.0.0.1\", port 5432 failed: server certificate for \"127.0.0.1\" "
                + "(and 1 other name) does not match host name \"127.0.0.2\"")
        #expect(hint?.contains("subjectAltName") == true)
    }

    @Test func missingOrUnreadableCAFileNamesTheUser() {
        for message in [
            "connection to server at \"127.0.0.1\", port 5432 failed: root certificate file \"/etc/x/ca.pem\" does "
                + "not exist Either provide the file or change sslmode to disable server certificate verification.",
            "connection to server at \"127.0.0.1\", port 5432 failed: could not read root certificate file \"/etc/x/ca.pem\":",
        ] {
            #expect(TLSConnectionHint.hint(forConnectionMessage: message)?.contains("mosquitto") == true, "\(message)")
        }
    }

    @Test func serverWithoutSSL() {
        #expect(
            TLSConnectionHint.hint(forConnectionMessage: "server does not support SSL, but SSL was required")?
                .contains("ssl off") == true)
    }

    @Test func otherFailuresGetNoHint() {
        #expect(TLSConnectionHint.hint(forConnectionMessage: "connection to server at \"127.0.0.1\", port 1 failed: Connection refused") == nil)
        #expect(!described("FATAL: password authentication failed for user \"w\"").contains("hint"))
        #expect(!"\(PostgresError(kind: .statement, message: "SSL error: certificate verify failed"))".contains("hint"))
    }
}

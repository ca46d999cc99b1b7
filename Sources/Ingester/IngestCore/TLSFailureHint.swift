/// What to tell the operator when a TLS connection to the broker ends before CONNACK and
/// libmosquitto has no reason to give.
///
/// With TLS 1.3 the client's side of the handshake completes before the broker has checked the
/// client certificate. The broker then sends an alert (`tlsv13 alert certificate required`) and
/// closes; when its close overtakes the alert (the CONNECT we already sent makes the broker's
/// kernel answer with a reset, which discards the unread alert), OpenSSL has nothing queued and
/// libmosquitto reports only errno `EPROTO` ("Protocol error"). The cause is then on the
/// broker's side only, in its log; the likely one depends on what we presented.
package enum TLSFailureHint {
    /// - Parameters:
    ///   - usesTLS: whether the connection is TLS (`--cafile`/`--capath`).
    ///   - presentsClientCertificate: whether `--cert`/`--key` were given.
    ///   - libraryDetail: the error lines libmosquitto logged for this failure (OpenSSL's
    ///     reason among them); a hint is only given when there are none.
    /// - Returns: the hint, or nil when the failure already carries a reason or is not TLS.
    package static func hint(usesTLS: Bool, presentsClientCertificate: Bool, libraryDetail: String) -> String? {
        guard usesTLS, libraryDetail.isEmpty else { return nil }
        let likely =
            presentsClientCertificate
            ? "it may not accept the client certificate (--cert)"
            : "if it sets require_certificate, pass --cert and --key"
        return "The broker closed the TLS connection without a reason that reached us; \(likely). "
            + "The broker's log names the cause."
    }
}

/// The web dashboard's settings (`--ui-listen`, `--ui-token-file`, `--ui-dsn`; `ui_listen`,
/// `ui_token_file`, `ui_dsn` in `--config`), validated.
package struct DashboardSettings: Sendable, Equatable, CustomStringConvertible {
    /// Where the dashboard listens; 127.0.0.1 unless the operator names another host.
    package var listen: ListenAddress
    /// The bearer token every page and API call needs (read from `tokenFile`); nil: no token asked.
    package var token: String?
    /// The file the token came from (for messages; the token itself is never shown).
    package var tokenFile: String?
    /// The database the dashboard and the presence gauges read (a hot standby, say); nil: the
    /// ingester's own.
    package var dsn: String?

    package init(listen: ListenAddress, token: String? = nil, tokenFile: String? = nil, dsn: String? = nil) {
        self.listen = listen
        self.token = token
        self.tokenFile = tokenFile
        self.dsn = dsn
    }

    /// Without the token (it must never reach a log line).
    package var description: String {
        "DashboardSettings(listen: \(listen), tokenFile: \(tokenFile ?? "none"), dsn: \(dsn == nil ? "the ingester's" : "ui_dsn"))"
    }
}

/// The `events.action` values of seed 001.
package enum LogAction: String, Sendable, CaseIterable {
    case connected
    case disconnected
    case subscribe
    case unsubscribe
    /// The broker saved its persistence file (`Saving in-memory database to ...`).
    case checkpoint
    /// Connection information that opens or closes no session (`New connection from ...`).
    case connInfo = "conn_info"
    /// A line the parser does not place; `raw` keeps it.
    case unknown
}

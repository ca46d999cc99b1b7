import SchemaSQL
import Testing

@testable import IngestCore

@Suite("IngestSchema")
struct IngestSchemaTests {
    @Test("the schema keeps the seed's tables and named indexes")
    func seedNames() {
        for name in [
            "broker_metrics", "events", "clients", "sessions", "subscriptions", "clients_client_unique",
            "sessions_client_ts_idx", "subscriptions_client_topic_idx",
        ] {
            #expect(SchemaFiles.sysIngesterTables.contains(name), "\(name) missing")
        }
    }
}

import Foundation
import SchemaSQL
import Testing

@testable import SysIngest

@Suite("IngestSchema")
struct IngestSchemaTests {
    @Test("each embedded constant equals its file under schema/", arguments: IngestSchema.all.map(\.file))
    func constantMatchesFile(file: String) throws {
        let url = Fixture.packageRoot.appendingPathComponent(file)
        let onDisk = try String(contentsOf: url, encoding: .utf8)
        let embedded = try #require(IngestSchema.all.first { $0.file == file }?.sql)
        #expect(embedded == onDisk, "run scripts/embed-schema.sh: \(file) changed")
    }

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

import SchemaSQL
import Storage
import Testing

/// The files of schema/ as both programs apply them at start.
@Suite struct SchemaPartTests {
    static let all: [SchemaPart] = [
        .connPluginTables, .connPluginKeys, .presence, .sysIngesterTables, .ingestGaps, .views, .retentionRollups,
        .dailyStatsFolds, .dashboardIndexes,
    ]

    /// A part is found missing by its relations: each must be one its own file creates, or the part
    /// would be applied at every start (a name no file creates) or never (another file's name).
    @Test func eachRelationOfAPartIsCreatedByItsOwnFile() {
        for part in Self.all {
            #expect(!part.relations.isEmpty, "\(part.file) has no relation to find it by")
            for relation in part.relations {
                let creates = part.sql.split(separator: "\n").contains { line in
                    line.contains("CREATE") && line.split(whereSeparator: { " (".contains($0) }).contains { $0 == relation }
                }
                #expect(creates, "\(part.file) does not create \(relation)")
                for other in Self.all where other != part {
                    #expect(!other.relations.contains(relation), "\(relation) is named by \(part.file) and \(other.file)")
                }
            }
        }
    }

    @Test func eachPartIsItsFileInTheOrderTheyMustBeApplied() {
        let files = SchemaFiles.all.map(\.file)
        for part in Self.all {
            #expect(SchemaFiles.all.first { $0.file == part.file }?.sql == part.sql, "\(part.file)")
        }
        let positions = Self.all.compactMap { files.firstIndex(of: $0.file) }
        #expect(positions == positions.sorted())
    }

    @Test func missingRelationsBindsTheNamesAndReadsThemBack() {
        #expect(MissingRelations(["events", "a\"b"]).bindings == [.arrayLiteral(#"{"events","a\"b"}"#)])
        #expect(MissingRelations.decode(PostgresRows(values: [["events"], [nil], ["sessions"]])) == ["events", "sessions"])
        #expect(MissingRelations.sql.contains("$1::text[]"))
    }
}

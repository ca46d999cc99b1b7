import SchemaSQL

/// The files of schema/ the ingester applies at start, in order, where their relations are
/// missing (`SchemaSetup`, shared with the conn-plugin). All of them are required.
package enum IngestSchema {
    package static let parts: [SchemaPart] = [
        .connPluginTables, .presence, .sysIngesterTables, .ingestGaps, .views, .retentionRollups, .dashboardIndexes,
    ]
}

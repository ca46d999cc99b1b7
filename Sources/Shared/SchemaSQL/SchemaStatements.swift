import Storage

// The statements of applying the schema (SchemaSetup), one type each: the SQL is the file of
// `Sources/Shared/SchemaSQL/sql/` of the same name, compiled in by SwiftPM's `.embedInCode`.

/// Which of `relations` (tables, views, indexes) do not exist (sql/missing_relations.sql).
package struct MissingRelations: PostgresStatement {
    package static let sql = String(decoding: PackageResources.missing_relations_sql, as: UTF8.self)
    package static let name = "schema_missing_relations"
    package let relations: [String]

    package init(_ relations: [String]) { self.relations = relations }

    package var bindings: [PostgresValue?] {
        var names = PostgresArrayLiteral()
        for relation in relations { names.append(relation) }
        return [names.value]
    }

    /// The names that are missing, sorted.
    package static func decode(_ rows: PostgresRows) -> [String] { rows.firstColumn }
}

/// Serialises applying the schema between processes, until the end of the transaction
/// (sql/schema_lock.sql).
package struct SchemaLock: PostgresStatement {
    package static let sql = String(decoding: PackageResources.schema_lock_sql, as: UTF8.self)
    package static let name = "schema_lock"

    package init() {}

    package var bindings: [PostgresValue?] { [] }
}

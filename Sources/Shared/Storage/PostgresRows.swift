/// The rows of a result, copied out of libpq in text format.
package struct PostgresRows: Sendable {
    package let columns: [String]
    package let values: [[String?]]
    /// The count from the command tag (`INSERT 0 5` → 5).
    package let affectedRows: Int

    /// The first column of the first row, if any.
    package var scalar: String? { values.first?.first ?? nil }

    /// The first column of every row, NULLs left out: a statement that returns a list of names.
    package var firstColumn: [String] { values.compactMap { $0.first ?? nil } }

    /// Rows as a statement returned them (and as a unit test of a statement's decoding builds them).
    package init(columns: [String] = [], values: [[String?]], affectedRows: Int = 0) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
    }
}

/// A named statement prepared once per connection.
package struct PreparedStatement: Sendable {
    package let name: String
    package let sql: String
    package init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

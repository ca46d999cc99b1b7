import Storage
import Testing

/// `PostgresConnection.executePipeline` against a real server.
@Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct PostgresPipelineTests {
    private let insert = PreparedStatement(name: "t_insert", sql: "INSERT INTO t (v) VALUES ($1) RETURNING id")
    private let count = PreparedStatement(name: "t_count", sql: "SELECT count(*) FROM t")

    @Test func pipelineReturnsEachStatementsRowsAndCommitsTogether() throws {
        let database = try ScratchDatabase.create(label: "pipeline")
        defer { database.drop() }
        try database.execute(script: "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL CHECK (v <> 'bad'))")
        let connection = try PostgresConnection(conninfo: database.dsn, timeout: .seconds(10))
        let values = (0..<500).map { "value \($0) 'quoted' \\ 设备" }
        let results = try connection.executePipeline(
            values.map { (insert, [PostgresValue.text($0)]) } + [(count, [])], timeout: .seconds(20))
        #expect(results.count == 501)
        #expect(results[0].scalar == "1")
        #expect(results[499].scalar == "500")
        #expect(results[500].scalar == "500")
        #expect(try database.query("SELECT v FROM t WHERE id = 500") == [[values[499]]])
    }

    @Test func failingStatementAbortsTheWholePipelineAndTheConnectionStaysUsable() throws {
        let database = try ScratchDatabase.create(label: "pipelinefail")
        defer { database.drop() }
        try database.execute(script: "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL CHECK (v <> 'bad'))")
        let connection = try PostgresConnection(conninfo: database.dsn, timeout: .seconds(10))
        #expect {
            try connection.executePipeline(
                [(insert, [.text("a")]), (insert, [.text("bad")]), (insert, [.text("c")])], timeout: .seconds(10))
        } throws: { error in
            (error as? PostgresError)?.sqlState?.rawValue == "23514"
        }
        #expect(try database.intScalar("SELECT count(*) FROM t") == 0, "nothing of the failed pipeline commits")
        #expect(connection.isOpen)
        try connection.executePipeline([(insert, [.text("after")])], timeout: .seconds(10))
        #expect(try database.intScalar("SELECT count(*) FROM t") == 1)
    }
}

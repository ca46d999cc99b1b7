import ArgumentParser
import DashboardStatements

/// `conn-sql dashboard-statement FILE VALUE...`: one of the dashboard's statements as the dashboard
/// prepares it where every optional relation exists, with the bench's values in place of its
/// parameters (`StatementWithValues`), for scripts/bench-history-dashboard.sh.
struct DashboardStatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard-statement",
        abstract: "Print a dashboard statement, every optional relation present, with VALUEs in place of $1, $2, ...",
        discussion: """
            The statement is the file of Sources/Ingester/DashboardStatements/sql/ named FILE, as \
            sys-ingester's dashboard prepares it where every relation it can read exists, without its \
            comment lines. Each VALUE is an SQL expression (NULL, 'online', 'device-' || :c, ...) \
            that takes the place of the next parameter, in parentheses; give exactly as many as the \
            statement has. Run it with pgbench -M simple, which leaves the statement's own colons \
            (to_char's 'HH24:MI:SS') alone and replaces only its variables (:c).
            """)

    @Argument(help: ArgumentHelp("The statement's file, without .sql: \(Self.files.joined(separator: ", ")).", valueName: "file"))
    var file: String

    @Argument(help: ArgumentHelp("One SQL expression per parameter, $1 first.", valueName: "value"))
    var values: [String] = []

    static let files = DashboardSQL.everyRelationPresent.map(\.file)

    private var statement: StatementWithValues? {
        DashboardSQL.everyRelationPresent.first { $0.file == file }.map { StatementWithValues($0.statement.sql) }
    }

    func validate() throws {
        guard let statement else {
            throw ValidationError("no dashboard statement '\(file)': one of \(Self.files.joined(separator: ", "))")
        }
        guard values.count == statement.parameterCount else {
            throw ValidationError(
                "\(file) takes \(statement.parameterCount) values ($1-$\(statement.parameterCount)), not \(values.count)")
        }
    }

    func run() {
        print(statement?.text(values) ?? "")
    }
}

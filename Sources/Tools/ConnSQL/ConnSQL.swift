import ArgumentParser
import ConnRecorder

/// `conn-sql`: the conn-plugin's SQL as the plugin runs it, and the dashboard's as the dashboard
/// runs it, for benchmarks and for reading.
@main
struct ConnSQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conn-sql",
        abstract:
            "The conn-plugin's SQL as the plugin runs it, and the dashboard's (make bench makes its pgbench scripts with them).",
        subcommands: [PgbenchScriptCommand.self, ShowStatement.self, DashboardStatementCommand.self])
}

struct PgbenchScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgbench-script",
        abstract: "Print a pgbench script that runs the plugin's write statement with the plugin's own parameter encoding.")

    @Option(help: "seed: write_batch.sql (seed 000's INSERT + UPSERT); events: with per-broker presence, as the plugin writes where schema/003_presence.sql is applied.")
    var write: PgbenchScript.Write = .seed

    @Option(help: "Events per statement: 1 (a connect and a disconnect, one statement each) or a batch size.")
    var events: Int = 1

    func validate() throws {
        guard (1...100_000).contains(events) else { throw ValidationError("--events \(events) must be 1-100000") }
    }

    func run() {
        print(PgbenchScript(write: write, eventsPerWrite: events).render(), terminator: "")
    }
}

struct ShowStatement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a write statement's SQL as the plugin prepares it.")

    @Option(help: "seed or events (see pgbench-script).")
    var write: PgbenchScript.Write = .events

    func run() {
        print(PgbenchScript(write: write, eventsPerWrite: 1).statement.sql)
    }
}

/// `--write seed|events`: swift-argument-parser checks the value and names the choices.
extension PgbenchScript.Write: ExpressibleByArgument {}

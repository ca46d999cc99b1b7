import Foundation

/// A PostgreSQL server of a test's own (scripts/pg-scratch.sh), for tests that stop and start
/// the database. Same port and data across restarts, so the DSN stays valid.
final class OwnPostgres {
    let directory: String
    private(set) var dsn = ""
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg-scratch.sh").path

    init(label: String) throws {
        directory = try TestEnvironment.makeScratchDirectory(label: label) + "/pg"
        try start()
    }

    deinit { stop() }

    func start() throws {
        let result = try ProcessRunner.run("/bin/bash", [Self.script, "start", directory], timeout: 120)
        guard result.succeeded, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("host=") })
        else { throw FixtureError("pg-scratch start failed: \(result.output)") }
        dsn = String(line)
    }

    func stop() {
        _ = try? ProcessRunner.run("/bin/bash", [Self.script, "stop", directory], timeout: 60)
    }
}

import Foundation

/// A PostgreSQL server of a test's own (scripts/pg-scratch.sh), for tests that stop and start
/// the database. Same port and data across restarts, so the DSN stays valid.
///
/// Its directory is the one `pg-scratch.sh new` picks (under /tmp, not under `TEST_TMPDIR`: the
/// server runs as the "postgres" user, which cannot enter a clone in a private directory).
/// Removed with the server.
final class OwnPostgres {
    let directory: String
    private(set) var dsn = ""
    /// PG_TLS_CERT and PG_TLS_KEY for scripts/pg-scratch.sh when the server speaks TLS.
    private let scriptEnvironment: [String: String]
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg-scratch.sh").path

    /// - Parameter tls: a server certificate and its key: the server then has `ssl on` with them and
    ///   TLS connections need a password (see scripts/pg-scratch.sh); `dsn` stays a plain one.
    init(label: String, tls: (certificate: String, key: String)? = nil) throws {
        scriptEnvironment = tls.map { ["PG_TLS_CERT": $0.certificate, "PG_TLS_KEY": $0.key] } ?? [:]
        let made = try ProcessRunner.run("/bin/bash", [Self.script, "new", "test-" + label], timeout: 60)
        guard made.succeeded, let path = made.output.split(separator: "\n").last(where: { $0.hasPrefix("/") })
        else { throw FixtureError("pg-scratch new failed: \(made.output)") }
        directory = String(path)
        try start()  // on failure, deinit still runs (every property is set): stop and remove
    }

    func start() throws {
        let result = try ProcessRunner.run("/bin/bash", [Self.script, "start", directory], environment: scriptEnvironment, timeout: 120)
        guard result.succeeded, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("host=") })
        else { throw FixtureError("pg-scratch start failed: \(result.output)") }
        dsn = String(line)
    }

    /// SIGSTOP the server and every backend: connections stay open and new ones are accepted by
    /// the kernel, but nothing answers — a database that hangs rather than fails.
    func freeze() throws { try signalAll(SIGSTOP) }

    /// SIGCONT after `freeze()`.
    func thaw() throws { try signalAll(SIGCONT) }

    private func signalAll(_ signal: Int32) throws {
        let pidFile = try String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8)
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw FixtureError("no postmaster pid in \(directory)")
        }
        let children = try ProcessRunner.run("pgrep", ["-P", String(postmaster)]).output
            .split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        for pid in [postmaster] + children { kill(pid, signal) }
    }

    /// Stops the server; the data stays for `start()`.
    func stop() {
        _ = try? ProcessRunner.run("/bin/bash", [Self.script, "stop", directory], timeout: 60)
    }

    deinit {
        _ = try? ProcessRunner.run("/bin/bash", [Self.script, "remove", directory], timeout: 60)
    }
}

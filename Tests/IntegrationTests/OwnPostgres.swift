import Foundation

/// A PostgreSQL server of a test's own (scripts/pg-scratch.sh), for tests that stop and start
/// the database. Same port and data across restarts, so the DSN stays valid.
///
/// Its data lives under /tmp, not under `TEST_TMPDIR`: the server runs as the "postgres" user,
/// which cannot enter a clone in a private directory (scripts/test.sh does the same for the
/// shared server). Removed with the server.
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
        let safeLabel = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(40))
        var template = Array("/tmp/mqtt-conn-truth-test-pg-\(safeLabel).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed: errno \(errno)") }
        directory = String(cString: made)
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
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

import Foundation
import Testing

/// scripts/pg-scratch.sh decides where every scratch PostgreSQL lives, so that `make test`, `make
/// run` and `make bench` work from a clone in any directory, a root's 0700 `mktemp -d` included:
/// as root the server runs as "postgres", which cannot enter such a directory (issue 18).
@Suite("ScratchPostgresPlacement", .offCooperativePool)
struct ScratchPostgresPlacementTests {
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pg-scratch.sh").path

    /// A fresh directory with mode `mode`, resolved (no symbolic links), removed by the caller.
    private static func directory(label: String, mode: mode_t) throws -> String {
        let path = try TestEnvironment.makeScratchDirectory(label: label)
        guard chmod(path, mode) == 0 else { throw FixtureError("chmod \(path) failed: errno \(errno)") }
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    @Test func startRefusesADirectoryNewDidNotMake() throws {
        let chosen = try Self.directory(label: "pg-chosen-by-caller", mode: 0o755)
        defer { try? FileManager.default.removeItem(atPath: chosen) }
        let start = try ProcessRunner.run("/bin/bash", [Self.script, "start", chosen], timeout: 60)
        #expect(start.exitCode == 2, "\(start.output)")
        #expect(start.output.contains("\(chosen) was not made by 'pg-scratch.sh new'"), "\(start.output)")
        #expect(!FileManager.default.fileExists(atPath: chosen + "/data"), "start ran initdb in a directory new did not make")
    }

    /// The reported failure: the clone (and so every directory inside it) under a 0700 parent. A
    /// copy of the script in such a "clone", run from there, still gives a server that answers,
    /// in a directory outside the clone.
    @Test(.enabled(if: TestEnvironment.shouldRun))
    func aCloneUnderAPrivateDirectoryGetsAWorkingPostgreSQL() throws {
        let privateParent = try Self.directory(label: "private-parent", mode: 0o700)
        defer { try? FileManager.default.removeItem(atPath: privateParent) }
        let cloneScripts = privateParent + "/clone/scripts"
        try FileManager.default.createDirectory(atPath: cloneScripts, withIntermediateDirectories: true)
        let copy = cloneScripts + "/pg-scratch.sh"
        try FileManager.default.copyItem(atPath: Self.script, toPath: copy)

        let made = try ProcessRunner.run("/bin/bash", [copy, "new", "private-clone"], timeout: 60)
        let directory = try #require(
            made.succeeded ? made.output.split(separator: "\n").last.map(String.init) : nil, "\(made.output)")
        defer { _ = try? ProcessRunner.run("/bin/bash", [copy, "remove", directory], timeout: 60) }
        #expect(!directory.hasPrefix(privateParent), "the scratch PostgreSQL went into the clone: \(directory)")

        let start = try ProcessRunner.run("/bin/bash", [copy, "start", directory], timeout: 120)
        let dsn = try #require(
            start.output.split(separator: "\n").last(where: { $0.hasPrefix("host=") }).map(String.init),
            "pg-scratch start failed: \(start.output)")
        let answer = try ProcessRunner.run("psql", ["-X", "-At", dsn, "-c", "SELECT 40 + 2"], timeout: 30)
        #expect(answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "\(answer.output)")

        let remove = try ProcessRunner.run("/bin/bash", [copy, "remove", directory], timeout: 60)
        #expect(remove.succeeded, "\(remove.output)")
        #expect(!FileManager.default.fileExists(atPath: directory), "remove left \(directory)")
    }

    /// PG_SCRATCH_BASE (for a roomier disk than /tmp) is checked: a base the server's user cannot
    /// enter is refused up front, naming the directory in the way, instead of a failed initdb.
    /// Only as root: otherwise the server runs as the test's own user, who can enter its 0700 directory.
    @Test(.enabled(if: getuid() == 0))
    func newRefusesABaseTheServersUserCannotEnter() throws {
        // Directly under /tmp, so that it is the first directory on the way the server's user
        // cannot enter even when the clone itself is under a private one (mkdtemp makes it 0700).
        var template = Array("/tmp/mqtt-conn-truth-private-base.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed: errno \(errno)") }
        let privateParent = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: privateParent) }
        let base = privateParent + "/base"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)

        let refused = try ProcessRunner.run(
            "/bin/bash", [Self.script, "new", "refused"], environment: ["PG_SCRATCH_BASE": base], timeout: 60)
        #expect(refused.exitCode == 2, "\(refused.output)")
        #expect(refused.output.contains("cannot enter \(privateParent) "), "\(refused.output)")
        #expect((try FileManager.default.contentsOfDirectory(atPath: base)).isEmpty, "new made a directory anyway")
    }
}

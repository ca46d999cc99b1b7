import Foundation
import Testing

/// Rules about the repository's own files that no compiler checks: read the files, no services.
@Suite("RepositoryRules", .offCooperativePool)
struct RepositoryRulesTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// This file names the commands it looks for; it is the one place allowed to.
    private static let thisFile = URL(fileURLWithPath: #filePath).standardizedFileURL.path

    /// The repository's files under `directories` whose names end in one of `suffixes` (or equal
    /// one of them), as (path relative to the root, lines).
    private static func files(in directories: [String], suffixes: [String]) throws -> [(path: String, lines: [Substring])] {
        var found: [(path: String, lines: [Substring])] = []
        for directory in directories {
            let base = root + "/" + directory
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory) else { continue }
            let relativePaths = isDirectory.boolValue
                ? (FileManager.default.subpaths(atPath: base) ?? []).map { directory + "/" + $0 } : [directory]
            for path in relativePaths where suffixes.contains(where: { path.hasSuffix($0) }) {
                let full = URL(fileURLWithPath: root + "/" + path).standardizedFileURL.path
                guard full != thisFile, let text = try? String(contentsOfFile: full, encoding: .utf8) else { continue }
                found.append((path, text.split(separator: "\n", omittingEmptySubsequences: false)))
            }
        }
        return found
    }

    private static func isComment(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.hasPrefix("#") || trimmed.hasPrefix("//")
    }

    /// scripts/pg-scratch.sh owns every scratch PostgreSQL: where it lives (`new`, under /tmp, which
    /// the server's user can reach) and its start and stop. A script or test that ran initdb,
    /// pg_ctl or pg_basebackup (a standby's data) itself could put one in the clone again, where a
    /// 0700 parent makes initdb fail as the "postgres" user (issue 18).
    @Test func onlyPgScratchStartsOrStopsAPostgreSQL() throws {
        let command = try Regex(#"\b(initdb|pg_ctl|pg_ctlcluster|pg_createcluster|pg_basebackup)\b|/postgres\s+-D"#)
        let scanned = try Self.files(
            in: ["scripts", "Sources", "Tests", "Makefile", "packaging", ".ci"],
            suffixes: [".sh", ".swift", ".py", ".sql", "Makefile", ".in", "run"])
        #expect(scanned.contains { $0.path == "scripts/pg-scratch.sh" }, "the scan did not see scripts/pg-scratch.sh")
        var offenders: [String] = []
        for file in scanned where file.path != "scripts/pg-scratch.sh" {
            for (index, line) in file.lines.enumerated() where !Self.isComment(line) && line.contains(command) {
                offenders.append("\(file.path):\(index + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(
            offenders.isEmpty,
            "start and stop a scratch PostgreSQL through scripts/pg-scratch.sh (new, start, stop, remove) instead:\n\(offenders.joined(separator: "\n"))")
    }

    /// Every `@unchecked Sendable` and `nonisolated(unsafe)` turns the compiler's check off, so the
    /// comment right above it says why it is safe, starting with the attribute and a colon, e.g.
    /// `// @unchecked Sendable: state is read and written only with mutex held.`
    @Test func everyUncheckedSendableSaysWhy() throws {
        let optOut = try Regex(#"@unchecked\s+Sendable|nonisolated\(unsafe\)"#)
        let reason = try Regex(#"(@unchecked Sendable|nonisolated\(unsafe\))`?:\s*\S"#)
        let attribute = try Regex(#"^\s*@\w+"#)
        let scanned = try Self.files(in: ["Sources", "Tests"], suffixes: [".swift"])
        var unexplained: [String] = []
        var seen = 0
        for file in scanned {
            for (index, line) in file.lines.enumerated() where !Self.isComment(line) && line.contains(optOut) {
                seen += 1
                // The comment block directly above the declaration (attributes may sit between).
                var above: [Substring] = []
                var cursor = index - 1
                while cursor >= 0, Self.isComment(file.lines[cursor]) || file.lines[cursor].contains(attribute) {
                    above.append(file.lines[cursor])
                    cursor -= 1
                }
                if !above.contains(where: { $0.contains(reason) }) {
                    unexplained.append("\(file.path):\(index + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(seen > 0, "the scan found no @unchecked Sendable at all: is it reading Sources?")
        #expect(
            unexplained.isEmpty,
            "say in a comment right above why each is safe (\"// @unchecked Sendable: ...\"):\n\(unexplained.joined(separator: "\n"))")
    }

    /// Every integration suite runs its tests off Swift concurrency's cooperative pool
    /// (`.offCooperativePool`, `Support/OffCooperativePool.swift`). A test that blocks on the pool
    /// holds one of its few threads (two on a 2-CPU machine), and every async test of the process
    /// waits behind it: IngesterServicesTests, under a second alone, took 228 s in `make test`. So a
    /// file here with tests declares its suite with `@Suite`, and every `@Suite` names the trait.
    @Test func everyIntegrationSuiteRunsOffTheCooperativePool() throws {
        let scanned = try Self.files(in: ["Tests/IntegrationTests"], suffixes: [".swift"])
        var offenders: [String] = []
        var suites = 0
        for file in scanned {
            var hasSuite = false
            for (index, line) in file.lines.enumerated() where !Self.isComment(line) && line.contains("@Suite") {
                hasSuite = true
                suites += 1
                if !line.contains(".offCooperativePool") {
                    offenders.append("\(file.path):\(index + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
            if !hasSuite, file.lines.contains(where: { !Self.isComment($0) && $0.contains("@Test") }) {
                offenders.append("\(file.path): tests without an @Suite")
            }
        }
        #expect(suites > 0, "the scan found no @Suite at all: is it reading Tests/IntegrationTests?")
        #expect(
            offenders.isEmpty,
            "give each suite the trait on its @Suite line, e.g. @Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool):\n\(offenders.joined(separator: "\n"))")
    }
}

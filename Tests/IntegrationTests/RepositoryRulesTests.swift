import Foundation
import Testing

/// Rules about the repository's own files that no compiler checks: read the files, no services.
@Suite("RepositoryRules")
struct RepositoryRulesTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// This file names what it looks for.
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
}

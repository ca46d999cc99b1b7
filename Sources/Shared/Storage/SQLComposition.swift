/// One statement's SQL whose text depends on conditions (which relations or indexes exist, what a
/// batch holds), written once as SQL files with every variant in them, so no statement text is
/// assembled in code. The files are read as one text, in order; marker lines, each alone on its
/// line, choose the lines of one variant:
///
/// ```
/// -- when presence                kept where the condition presence holds
/// ...
/// -- else                         kept where it does not (optional)
/// ...
/// -- end
/// ```
///
/// `-- when a, b` keeps its lines where both `a` and `b` hold. A condition is an identifier
/// (letters, digits, `_`), so a comment line of prose that happens to start with "-- when " is
/// text (write_presence.sql has one). Blocks nest: a line is kept where every block around it
/// keeps it. Each file closes the blocks it opens, so a file reads on its own. What a condition means is the caller's: the dashboard's are the relations that exist
/// (`DashboardQuery`), the plugin's write's are the event-key index, presence and session ends
/// (`ConnStatements`). A variant is its kept lines without the marker lines and without blank
/// lines at its end.
package struct SQLComposition: Sendable {
    private enum Line: Sendable {
        case text(Substring)
        case when([String])
        case otherwise
        case end
    }

    /// The conditions the `-- when` lines name, in order of first appearance.
    package let conditions: [String]
    private let lines: [Line]

    /// Reads `files` (`PackageResources` byte arrays) as one text, in order.
    ///
    /// Malformed markers (an `-- else` or `-- end` outside a block, a second `-- else`, a block
    /// left open at the end of its file) are a programmer error in
    /// files compiled into the program: they trap, and the unit tests build every composition.
    package init(_ files: [UInt8]...) {
        var lines: [Line] = []
        var conditions: [String] = []
        for (fileIndex, file) in files.enumerated() {
            // Per open block: whether its `-- else` was seen.
            var open: [Bool] = []
            var text = Substring(String(decoding: file, as: UTF8.self))
            // A file's final newline ends its last line rather than starting an empty one, so the
            // next file starts a line of its own.
            if fileIndex < files.count - 1, text.hasSuffix("\n") { text = text.dropLast() }
            for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let place = "SQLComposition: file \(fileIndex + 1), line \(lineIndex + 1)"
                let trimmed = line.drop { $0 == " " }
                if let names = Self.conditions(trimmed) {
                    for name in names where !conditions.contains(name) { conditions.append(name) }
                    lines.append(.when(names))
                    open.append(false)
                } else if trimmed == "-- else" {
                    precondition(open.last == false, "\(place): -- else outside a -- when block, or its second")
                    open[open.count - 1] = true
                    lines.append(.otherwise)
                } else if trimmed == "-- end" {
                    precondition(!open.isEmpty, "\(place): -- end outside a -- when block")
                    open.removeLast()
                    lines.append(.end)
                } else {
                    lines.append(.text(line))
                }
            }
            precondition(open.isEmpty, "SQLComposition: file \(fileIndex + 1) leaves a -- when block open")
        }
        self.conditions = conditions
        self.lines = lines
    }

    /// The conditions of a `-- when` line (leading spaces dropped); nil for any other line.
    private static func conditions(_ line: Substring) -> [String]? {
        guard line.hasPrefix("-- when ") else { return nil }
        let names = line.dropFirst("-- when ".count).split(separator: ",", omittingEmptySubsequences: false).map {
            String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        }
        let isIdentifier = { (name: String) in
            !name.isEmpty && !name.utf8.first!.isDigit && name.utf8.allSatisfy { $0.isDigit || $0.isLetter || $0 == UInt8(ascii: "_") }
        }
        return names.allSatisfy(isIdentifier) ? names : nil
    }

    /// The variant where exactly the conditions `holds` says hold.
    package func text(where holds: (String) -> Bool) -> String {
        // Per open block: whether its current branch is kept.
        var kept: [Bool] = []
        var text: [Substring] = []
        for line in lines {
            switch line {
            case .text(let line): if !kept.contains(false) { text.append(line) }
            case .when(let names): kept.append(names.allSatisfy(holds))
            case .otherwise: kept[kept.count - 1].toggle()
            case .end: kept.removeLast()
            }
        }
        while let last = text.last, last.allSatisfy({ $0 == " " }) { text.removeLast() }
        return text.joined(separator: "\n")
    }

    /// The variant where `holds` says, prepared under `name` plus one digit per condition, in the
    /// order of `conditions` (1: it holds), so every variant has its own name; `name` alone where
    /// there are no conditions.
    package func prepared(as name: String, where holds: (String) -> Bool) -> PreparedStatement {
        let digits = conditions.map { holds($0) ? "1" : "0" }.joined()
        return PreparedStatement(name: digits.isEmpty ? name : "\(name)_\(digits)", sql: text(where: holds))
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    fileprivate var isLetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}

import Storage

/// A file of `Sources/Ingester/Dashboard/sql/` whose text depends on which optional relations
/// exist (a database without the ingester's tables still gets its plugin data, and the other way
/// round). The file holds every variant; marker lines, each alone on its line, choose the lines
/// of one:
///
/// ```
/// -- when client_presence         kept where client_presence exists
/// ...
/// -- else                         kept where it does not (optional)
/// ...
/// -- end
/// ```
///
/// `-- when a, b` keeps its lines where all of `a` and `b` exist. Blocks do not nest. A variant's
/// prepared-statement name is the file's name plus one digit per relation the file's `-- when`
/// lines name, in order of first appearance (1: it exists), so every variant has its own name.
struct DashboardSQL: Sendable {
    private enum Line: Sendable {
        case text(Substring)
        case when([String])
        case otherwise
        case end
    }

    /// The name of the statement, without the variant's digits.
    let name: String
    /// The relations the file's `-- when` lines name, in order of first appearance.
    let relations: [String]
    private let lines: [Line]

    /// Reads `file` (a `PackageResources` byte array).
    ///
    /// Malformed markers (an `-- else` or `-- end` outside a block, a block inside a block, a block
    /// left open) are a programmer error in a file compiled into the program: they trap, and the
    /// unit tests read every file.
    init(name: String, file: [UInt8]) {
        self.name = name
        var lines: [Line] = []
        var relations: [String] = []
        var open = false
        for line in String(decoding: file, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("-- when ") {
                precondition(!open, "\(name): a -- when block inside another")
                let names = trimmed.dropFirst("-- when ".count).split(separator: ",").map {
                    String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
                }
                precondition(!names.isEmpty && names.allSatisfy { !$0.isEmpty }, "\(name): -- when names no relation")
                for relation in names where !relations.contains(relation) { relations.append(relation) }
                lines.append(.when(names))
                open = true
            } else if trimmed == "-- else" {
                precondition(open, "\(name): -- else outside a -- when block")
                lines.append(.otherwise)
            } else if trimmed == "-- end" {
                precondition(open, "\(name): -- end outside a -- when block")
                lines.append(.end)
                open = false
            } else {
                lines.append(.text(line))
            }
        }
        precondition(!open, "\(name): a -- when block is not closed")
        self.relations = relations
        self.lines = lines
    }

    /// The variant for the relations `exists` says exist.
    func prepared(where exists: (String) -> Bool) -> PreparedStatement {
        var keep = true
        var text: [Substring] = []
        for line in lines {
            switch line {
            case .text(let line): if keep { text.append(line) }
            case .when(let names): keep = names.allSatisfy(exists)
            case .otherwise: keep.toggle()
            case .end: keep = true
            }
        }
        while let last = text.last, last.allSatisfy({ $0 == " " }) { text.removeLast() }
        let digits = relations.map { exists($0) ? "1" : "0" }.joined()
        return PreparedStatement(
            name: digits.isEmpty ? name : "\(name)_\(digits)", sql: text.joined(separator: "\n"))
    }

    /// The variant for the relations of `sources`.
    func prepared(_ sources: DataSources) -> PreparedStatement { prepared(where: sources.has) }
}

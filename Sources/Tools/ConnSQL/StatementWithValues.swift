/// A statement's text with SQL expressions in place of its `$n` parameters, for pgbench's simple
/// protocol (`-M simple`): pgbench binds only its own `:variables`, and with `-M prepared` it takes
/// every `:name` for one, even inside a literal such as to_char's `'HH24:MI:SS'`; in simple mode
/// it replaces only the variables it has (`\set c ...`) and sends the rest as written. Each value
/// goes in parentheses, so an expression binds as a parameter would. Comment lines are left out:
/// the server ignores them, and pgbench would read their colons too.
struct StatementWithValues {
    /// The statement's code lines: its text without comment lines.
    let code: [Substring]

    init(_ sql: String) {
        code = sql.split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("--") }
    }

    /// The highest `$n` the code uses: the number of values it takes.
    var parameterCount: Int {
        var highest = 0
        for line in code { Self.scan(line) { highest = max(highest, $0) } }
        return highest
    }

    /// The code with `values[n - 1]` in parentheses in place of each `$n`.
    func text(_ values: [String]) -> String {
        code.map { line in
            var text = ""
            var copied = line.startIndex
            Self.scan(line) { number, range in
                text += line[copied..<range.lowerBound] + "(" + values[number - 1] + ")"
                copied = range.upperBound
            }
            return text + line[copied...]
        }.joined(separator: "\n")
    }

    /// Calls `found` with the number and the place of each `$n` in `line`, in order.
    private static func scan(_ line: Substring, _ found: (Int, Range<Substring.Index>) -> Void) {
        var index = line.startIndex
        while let dollar = line[index...].firstIndex(of: "$") {
            let digits = line[line.index(after: dollar)...].prefix { $0.isASCII && $0.isNumber }
            if let number = Int(digits), number > 0 { found(number, dollar..<digits.endIndex) }
            index = digits.isEmpty ? line.index(after: dollar) : digits.endIndex
        }
    }

    private static func scan(_ line: Substring, _ found: (Int) -> Void) {
        scan(line) { number, _ in found(number) }
    }
}

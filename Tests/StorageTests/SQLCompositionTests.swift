import Storage
import Testing

/// The `-- when` blocks of `SQLComposition`: flat (the dashboard's files), nested and spread over
/// several files (the plugin's write).
@Suite struct SQLCompositionTests {
    @Test func markersChooseTheLinesOfOneVariant() {
        let file = SQLComposition(
            Array(
                """
                -- header
                SELECT 1
                -- when a
                  , 2
                -- else
                  , 0
                -- end
                -- when a, b
                  , 3
                -- end
                FROM x

                """.utf8))
        #expect(file.conditions == ["a", "b"])
        let both = file.prepared(as: "t", where: { _ in true })
        #expect(both.name == "t_11" && both.sql == "-- header\nSELECT 1\n  , 2\n  , 3\nFROM x")
        let onlyA = file.prepared(as: "t", where: { $0 == "a" })
        #expect(onlyA.name == "t_10" && onlyA.sql == "-- header\nSELECT 1\n  , 2\nFROM x")
        let onlyB = file.prepared(as: "t", where: { $0 == "b" })
        #expect(onlyB.name == "t_01" && onlyB.sql == "-- header\nSELECT 1\n  , 0\nFROM x")
        let plain = SQLComposition(Array("SELECT 1\n".utf8)).prepared(as: "p", where: { _ in false })
        #expect(plain.name == "p" && plain.sql == "SELECT 1")
    }

    /// A line is kept where every block around it keeps it; an `-- else` answers its own block.
    @Test func nestedBlocksKeepALineWhereEveryBlockAroundItDoes() {
        let file = SQLComposition(
            Array(
                """
                A
                -- when outer
                B
                  -- when inner
                C
                  -- else
                D
                  -- end
                E
                -- else
                F
                -- end
                G

                """.utf8))
        #expect(file.conditions == ["outer", "inner"])
        #expect(file.text(where: { _ in true }) == "A\nB\nC\nE\nG")
        #expect(file.text(where: { $0 == "outer" }) == "A\nB\nD\nE\nG")
        #expect(file.text(where: { $0 == "inner" }) == "A\nF\nG")
        #expect(file.text(where: { _ in false }) == "A\nF\nG")
    }

    /// Only identifiers make a `-- when` line a marker: a comment of prose that starts with the
    /// same words stays in the text.
    @Test func aCommentThatStartsWithWhenIsText() {
        let file = SQLComposition(
            Array(
                """
                -- when a
                -- when the session outlives the connection, else ended
                SELECT 1
                -- end

                """.utf8))
        #expect(file.conditions == ["a"])
        #expect(file.text(where: { _ in true }) == "-- when the session outlives the connection, else ended\nSELECT 1")
        #expect(file.text(where: { _ in false }) == "")
    }

    /// Files are read as one text: each starts a line of its own, and only the blank lines at the
    /// end of the whole variant are dropped.
    @Test func filesAreReadAsOneText() {
        let first = Array("WITH a AS (SELECT 1)\n-- when more\n,\n-- else\nSELECT * FROM a\n-- end\n".utf8)
        let second = Array("-- when more\nb AS (SELECT 2)\nSELECT * FROM a, b\n-- end\n".utf8)
        let write = SQLComposition(first, second)
        #expect(write.conditions == ["more"])
        #expect(write.text(where: { _ in true }) == "WITH a AS (SELECT 1)\n,\nb AS (SELECT 2)\nSELECT * FROM a, b")
        #expect(write.text(where: { _ in false }) == "WITH a AS (SELECT 1)\nSELECT * FROM a")
        #expect(SQLComposition(Array("SELECT 1\n\n  \n".utf8), Array("\n".utf8)).text(where: { _ in true }) == "SELECT 1")
    }
}

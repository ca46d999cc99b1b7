import Dashboard
import Testing

/// The dashboard's pure logic: parameters, cursors, times, escaping, JSON, charts, the token.
@Suite("DashboardLogic")
struct DashboardLogicTests {
    private func pairs(_ query: String) throws(ParameterError) -> [(name: String, value: String)] {
        try PercentEncoding.parseQuery(query)
    }

    /// The error `body` throws, or nil when it does not.
    private func refusal(_ body: () throws -> Void) -> ParameterError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ParameterError
        }
    }

    @Test("percent-encoding round-trips any id through a path segment; forms' + is a space in queries only")
    func percentEncoding() throws {
        for id in ["plain", "a/b", "100% sure", "x?y=z&w#", "<b>\"q\"</b>'", "ünï cødé ✓", "+plus+"] {
            let encoded = PercentEncoding.encode(id)
            #expect(!encoded.contains("/") && !encoded.contains("?") && !encoded.contains(" "))
            #expect(PercentEncoding.decode(encoded[...], plusIsSpace: false) == id)
        }
        #expect(PercentEncoding.decode("a+b", plusIsSpace: true) == "a b")
        #expect(PercentEncoding.decode("a+b", plusIsSpace: false) == "a+b")
        #expect(PercentEncoding.decode("bad%2", plusIsSpace: false) == nil)
        #expect(PercentEncoding.decode("bad%zz", plusIsSpace: false) == nil)
        #expect(PercentEncoding.decode("%FF", plusIsSpace: false) == nil)  // not UTF-8
        let parsed = try pairs("prefix=dev+1&username=&state=online&&x")
        #expect(parsed.map(\.name) == ["prefix", "username", "state", "x"])
        #expect(parsed.map(\.value) == ["dev 1", "", "online", ""])
        #expect(throws: ParameterError(parameter: "prefix", problem: "is not valid percent-encoded UTF-8")) {
            try pairs("prefix=%E2%28")
        }
    }

    @Test("client list parameters: defaults, every state, the limit's range, unknown and repeated names")
    func clientParameters() throws {
        let defaults = try ClientListQuery.parse([], strict: true)
        #expect(defaults == ClientListQuery(limit: 100))
        for state in ClientState.allCases {
            #expect(try ClientListQuery.parse(pairs("state=\(state.rawValue)"), strict: true).state == state)
        }
        let full = try ClientListQuery.parse(pairs("broker=b&prefix=dev&username=u&limit=1000&state="), strict: true)
        #expect(full == ClientListQuery(broker: "b", prefix: "dev", username: "u", limit: 1000))
        for bad in ["limit=0", "limit=1001", "limit=-1", "limit=1.5", "limit=ten", "limit=99999999999"] {
            let error = refusal { _ = try ClientListQuery.parse(pairs(bad), strict: true) }
            #expect(error?.parameter == "limit", "\(bad)")
            #expect(error?.description.contains("from 1 to 1000") == true)
        }
        #expect(
            refusal { _ = try ClientListQuery.parse(pairs("state=connected"), strict: true) }?.description
                == "parameter 'state' must be one of online, session_kept, offline, unknown, not 'connected'")
        #expect(throws: ParameterError.self) { try ClientListQuery.parse(pairs("colour=red"), strict: true) }
        #expect(try ClientListQuery.parse(pairs("colour=red"), strict: false) == ClientListQuery())
        #expect(throws: ParameterError(parameter: "limit", problem: "is given more than once")) {
            try ClientListQuery.parse(pairs("limit=1&limit=2"), strict: true)
        }
    }

    @Test("cursors round-trip any key, are URL-safe, and anything else is a 400 naming 'after'")
    func cursors() throws {
        let client = Cursor.Client(clientID: "dev/1 <x> ✓ \"'", brokerID: "b-1")
        let token = Cursor.encode(client)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(try Cursor.decodeClient(token) == client)
        let event = Cursor.Event(ts: Timestamp(microseconds: 1_764_752_503_123_456), source: 1, id: 42)
        #expect(try Cursor.decodeEvent(Cursor.encode(event)) == event)
        // A client cursor is not an event cursor and the other way round; garbage is refused.
        for bad in [Cursor.encode(event), "", "!!!", "YWJj", token + "=", "a b"] {
            #expect(throws: ParameterError.self) { try Cursor.decodeClient(bad) }
        }
        for bad in [token, "ZTEAeABhAGI"] {
            #expect(throws: ParameterError.self) { try Cursor.decodeEvent(bad) }
        }
        #expect(refusal { _ = try Cursor.decodeClient("garbage!") }?.parameter == "after")
        let query = try ClientListQuery.parse(pairs("after=\(token)"), strict: true)
        #expect(query.after == client)
    }

    @Test("times: RFC 3339 with zone or fraction, datetime-local, dates; impossible ones refused; printed exactly")
    func times() throws {
        #expect(Timestamp.parse("1970-01-01T00:00:00Z")?.microseconds == 0)
        #expect(Timestamp.parse("2026-12-03T08:00:00Z")?.microseconds == 1_796_284_800_000_000)
        #expect(Timestamp.parse("2026-12-03T09:00:00+01:00") == Timestamp.parse("2026-12-03T08:00:00Z"))
        #expect(Timestamp.parse("2026-12-03T07:30:00-00:30") == Timestamp.parse("2026-12-03T08:00:00Z"))
        #expect(Timestamp.parse("2026-12-03T08:00") == Timestamp.parse("2026-12-03T08:00:00Z"))
        #expect(Timestamp.parse("2026-12-03") == Timestamp.parse("2026-12-03T00:00:00Z"))
        #expect(Timestamp.parse("2026-12-03T08:00:00.5Z")?.microseconds == 1_796_284_800_500_000)
        #expect(Timestamp.parse("2024-02-29")?.description == "2024-02-29T00:00:00.000000Z")
        for bad in ["yesterday", "2026-02-30", "2025-02-29", "2026-13-01", "2026-12-03T24:00:00Z", "2026-12-03T08:00:00",
                    "2026-12-03T08:00:00.Z", "2026-12-03T08:00:00+0100", "2026-12-3", ""] where bad != "2026-12-03T08:00:00" {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
        let exact = Timestamp(microseconds: 1_764_752_503_000_001)
        #expect(Timestamp.parse(exact.description) == exact)
        #expect(Timestamp(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
        #expect(refusal { _ = try EventQuery.parse(pairs("from=2026-12-03&to=2026-12-02"), strict: true) }?.parameter == "from")
        #expect(refusal { _ = try EventQuery.parse(pairs("to=noon"), strict: true) }?.parameter == "to")
    }

    @Test("HTML escaping turns markup and quotes into text")
    func escaping() {
        #expect(HTML.escape("<img src=x onerror='a()'>&\"") == "&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;&quot;")
        #expect(HTML.escape("plain ✓") == "plain ✓")
    }

    @Test("JSON: keys in order, explicit nulls, strings escaped (markup too)")
    func json() {
        let value = JSONValue.object([
            ("b", .string("<\"q\"\n\u{1}>")), ("a", .null), ("n", .int(-3)), ("d", .double(0.5)), ("l", .array([.bool(true)])),
        ])
        #expect(value.rendered == #"{"b":"\u003c\"q\"\n\u0001\u003e","a":null,"n":-3,"d":0.5,"l":[true]}"#)
    }

    @Test("chart geometry: a nice scale, bars proportional and inside the plot, labels escaped")
    func chart() {
        #expect(BarChart.niceCeiling(0) == 1)
        #expect(BarChart.niceCeiling(1) == 1)
        #expect(BarChart.niceCeiling(3) == 5)
        #expect(BarChart.niceCeiling(7) == 10)
        #expect(BarChart.niceCeiling(11) == 20)
        #expect(BarChart.niceCeiling(0.3) == 0.5)
        #expect(BarChart.niceCeiling(250) == 500)
        let chart = BarChart(
            series: [
                .init(name: "a", cssClass: "series-a", values: [0, 5, 10, -1]),
                .init(name: "b", cssClass: "series-b", values: [10, .nan]),
            ], labels: ["m0", "m1", "m2", "<m3>"], width: 234, height: 116)
        let bars = chart.bars()
        let plotHeight = 116 - BarChart.bottomMargin
        #expect(bars[0].map(\.height) == [0, plotHeight / 2, plotHeight, 0])
        #expect(bars[1].map(\.height) == [plotHeight, 0])
        // 200 px of plot, 4 buckets of 50: bars of 20 (80 % of the bucket over 2 series).
        #expect(bars[0][1].x == BarChart.leftMargin + 50 + 5)
        #expect(bars[1][0].x == BarChart.leftMargin + 5 + 20)
        #expect(bars[0][2].y == 0 && bars[0][1].y == plotHeight / 2)
        for bar in bars.flatMap({ $0 }) {
            #expect(bar.x >= BarChart.leftMargin && bar.x + bar.width <= 234 && bar.y >= 0 && bar.y + bar.height <= plotHeight)
        }
        let svg = chart.svg(title: "<t>")
        #expect(svg.contains("&lt;m3&gt;") && !svg.contains("<m3>") && svg.contains("<title>&lt;t&gt;</title>"))
        #expect(BarChart(series: [], labels: []).bars().isEmpty)
    }

    @Test("the token: bearer or the login cookie, exact match only")
    func token() {
        let check = TokenCheck(token: "s3cr%t")
        #expect(check.accepts(authorization: "Bearer s3cr%t", cookie: nil))
        #expect(check.accepts(authorization: "bearer s3cr%t", cookie: nil))
        #expect(check.accepts(authorization: nil, cookie: PercentEncoding.encode("s3cr%t")))
        for wrong in ["Bearer s3cr", "Bearer s3cr%tX", "Basic s3cr%t", "s3cr%t", "Bearer "] {
            #expect(!check.accepts(authorization: wrong, cookie: nil), "\(wrong)")
        }
        #expect(!check.accepts(authorization: nil, cookie: "s3cr"))
        #expect(!check.accepts(authorization: nil, cookie: nil))
        #expect(check.accepts(formToken: "s3cr%t") && !check.accepts(formToken: ""))
    }

    @Test("pages show hostile ids as text and link them percent-encoded")
    func pages() {
        let hostile = "x/<script>alert(1)</script>\"'"
        let row = ClientRow(
            clientID: hostile, brokerID: "<b>", state: "online", since: nil, peer: "<p>", protocol: nil, username: "<u>",
            lastEventTs: nil, dropsToday: 0, dropsWeek: 0)
        let sources = DataSources(missingRelations: [], pluginReports: true, ingesterReports: true)
        let html = Pages.clients(
            ClientPage(clients: [row], next: nil), query: ClientListQuery(prefix: "<q>"), brokers: ["<b>"], sources: sources
        ) { _ in "" }
        #expect(!html.contains("<script>alert") && !html.contains("<b>") && !html.contains("<u>") && !html.contains("<q>"))
        #expect(html.contains("x/&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"))
        #expect(html.contains("href=\"/clients/\(PercentEncoding.encode(hostile))\""))
    }
}

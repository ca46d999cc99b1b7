import Foundation
import MQTTWire
import Testing

/// The dashboard's JSON API and its token, served by `sys-ingester --dsn ... --ui-listen ...` with
/// no broker (the dashboard alone, as on an install that runs only the conn-plugin) over a real
/// mosquitto 2.1 with the plugin loaded and real MQTT clients.
@Suite("DashboardAPI", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct DashboardAPITests {
    static let token = "t0ken-\(UUID().uuidString)"

    /// The dashboard alone: `--dsn`, `--ui-listen`, `--ui-token-file`, no broker option.
    private func startDashboardOnly(database: ScratchDatabase, port: Int) throws -> (ChildProcess, String) {
        let directory = try TestEnvironment.makeScratchDirectory(label: "ui-only")
        let tokenFile = (directory as NSString).appendingPathComponent("ui.token")
        try (Self.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let outputPath = (directory as NSString).appendingPathComponent("sys-ingester.out")
        let process = try ChildProcess(
            executable: try TestEnvironment.require(.sysIngester),
            arguments: [
                "--dsn", database.dsn, "--ui-listen", "127.0.0.1:\(port)", "--ui-token-file", tokenFile, "--log-level", "trace",
            ],
            environment: [:], outputPath: outputPath)
        return (process, outputPath)
    }

    private var bearer: String { "Authorization: Bearer \(Self.token)" }

    @Test("token required, keyset paging sees every client once, bad parameters answer 400 naming them, ids round-trip")
    func api() throws {
        let database = try ScratchDatabase.create(label: "ui_api")
        let fixture = try ConnPluginFixture(
            label: "ui_api", options: ["plugin_opt_conn_broker_id api-broker"], database: database)
        var clients: [MQTTWireClient] = []
        let ids = (0..<23).map { String(format: "page-%02d", $0) }
        for id in ids { clients.append(try fixture.client(id)) }
        let port = try LocalPorts.free()
        let (process, outputPath) = try startDashboardOnly(database: database, port: port)
        defer { _ = process.terminate() }
        let base = "http://127.0.0.1:\(port)"
        try waitUntil(timeout: 30, "the dashboard answers") { (try? HTTP.get(base + "/healthz").status) == 200 }

        // No token, a wrong one: 401, JSON for the API, the login form for pages.
        let refused = try HTTP.get(base + "/api/v1/brokers")
        #expect(refused.status == 401)
        #expect((refused.json?["error"] as? String)?.contains("Authorization: Bearer") == true)
        #expect(try HTTP.get(base + "/api/v1/brokers", headers: ["Authorization: Bearer nope"]).status == 401)
        let loginPage = try HTTP.get(base + "/")
        #expect(loginPage.status == 401 && loginPage.body.contains("name=\"token\""))

        // With the token: the broker and its 23 online clients; the page says no ingester watches it.
        let brokers = try waitForValue(timeout: 30, "23 clients online at api-broker") { () -> [String: Any]? in
            let answer = try HTTP.get(base + "/api/v1/brokers", headers: [bearer])
            let broker = (answer.json?["brokers"] as? [[String: Any]])?.first { $0["broker_id"] as? String == "api-broker" }
            return broker?["online"] as? Int == 23 ? answer.json : nil
        }
        let broker = (brokers["brokers"] as? [[String: Any]])?.first
        #expect(broker?["state"] as? String == "up")
        #expect(broker?.keys.contains("drift") == true)
        #expect((brokers["notices"] as? [String])?.contains { $0.contains("No sys-ingester") } == true)

        // Keyset paging: every client exactly once, in order, across pages of 5.
        var seen: [String] = []
        var after: String?
        var pages = 0
        repeat {
            let url = base + "/api/v1/clients?broker=api-broker&state=online&prefix=page-&limit=5"
                + (after.map { "&after=\($0)" } ?? "")
            let page = try HTTP.get(url, headers: [bearer])
            #expect(page.status == 200)
            let rows = page.json?["clients"] as? [[String: Any]] ?? []
            seen += rows.compactMap { $0["client_id"] as? String }
            #expect(rows.allSatisfy { $0["state"] as? String == "online" && $0["broker_id"] as? String == "api-broker" })
            after = page.json?["next"] as? String
            pages += 1
        } while after != nil && pages < 20
        #expect(seen == ids)
        #expect(pages == 5)

        // Bad parameters: 400 with an error naming the parameter.
        for (query, parameter) in [
            ("state=asleep", "'state'"), ("limit=0", "'limit'"), ("limit=1001", "'limit'"), ("limit=ten", "'limit'"),
            ("after=not-a-cursor", "'after'"), ("colour=red", "'colour'"),
        ] {
            let answer = try HTTP.get(base + "/api/v1/clients?" + query, headers: [bearer])
            #expect(answer.status == 400, "\(query)")
            #expect((answer.json?["error"] as? String)?.contains(parameter) == true, "\(query): \(answer.body)")
        }
        let badTime = try HTTP.get(base + "/api/v1/clients/x/events?from=yesterday", headers: [bearer])
        #expect(badTime.status == 400 && (badTime.json?["error"] as? String)?.contains("'from'") == true)

        // An id with a slash, a space, a percent sign and quotes, percent-encoded in the path: its
        // connect and disconnect, newest first.
        let oddID = "odd/id 100% \"q\""
        let odd = try fixture.client(oddID, .v5, username: "u")
        odd.disconnect()
        try fixture.waitForHistory(oddID, count: 2)
        let encoded = oddID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let events = try HTTP.get(base + "/api/v1/clients/\(encoded)/events?limit=1", headers: [bearer])
        #expect(events.status == 200)
        let first = (events.json?["events"] as? [[String: Any]])?.first
        #expect(first?["event_type"] as? String == "disconnect")
        #expect(first?["reason_code"] as? Int == 0)
        #expect(first?["broker_id"] as? String == "api-broker")
        let next = try #require(events.json?["next"] as? String)
        let older = try HTTP.get(base + "/api/v1/clients/\(encoded)/events?limit=5&after=\(next)", headers: [bearer])
        let olderEvents = older.json?["events"] as? [[String: Any]] ?? []
        #expect(olderEvents.map { $0["event_type"] as? String } == ["connect"])
        #expect(olderEvents.first?["protocol"] as? String != nil)
        #expect(older.json?["next"] is NSNull)

        // The login form sets a cookie that opens the pages.
        let login = try HTTP.request(
            base + "/login", arguments: ["-D", "-", "-o", "/dev/null", "--data-urlencode", "token=\(Self.token)"])
        #expect(login.body.contains("303"))
        let cookie = try #require(
            login.body.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }?
                .dropFirst("set-cookie:".count).split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) })
        let fleet = try HTTP.get(base + "/", headers: ["Cookie: \(cookie)"])
        #expect(fleet.status == 200 && fleet.body.contains("api-broker"))

        // The token never reaches the log, at trace level either.
        let log = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(log.contains("Serving the dashboard."))
        #expect(!log.contains(Self.token))
        for client in clients { client.disconnect() }
        #expect(process.terminate() == 0)
    }

    @Test("the presence alert rules pass promtool check rules, and their rule tests fire on drift, a lost broker, growing kept sessions")
    func alertRules() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../packaging/prometheus"
        ).standardized.path
        let check = try ProcessRunner.run("promtool", ["check", "rules", directory + "/presence-alerts.yml"])
        #expect(check.succeeded, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 3 rules found"))
        // promtool resolves rule_files relative to the test file.
        let rules = try ProcessRunner.run("promtool", ["test", "rules", directory + "/presence-alerts.test.yml"])
        #expect(rules.succeeded, "\(rules.output)")
    }
}

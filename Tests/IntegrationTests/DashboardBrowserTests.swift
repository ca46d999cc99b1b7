import Foundation
import Dashboard
import MQTTWire
import Testing

/// The dashboard as a person uses it: Debian's chromium (headless, driven by selenium) loads the
/// pages of a real sys-ingester serving `--ui-listen`, over a real mosquitto 2.1 with the
/// conn-plugin loaded, both writing to one real PostgreSQL. One broker, one plugin, one ingester,
/// one browser for the whole story. Screenshots land in TEST_TMPDIR/dashboard-screenshots/.
@Suite("DashboardBrowser", .enabled(if: TestEnvironment.shouldRun), .serialized, .offCooperativePool)
struct DashboardBrowserTests {
    /// A client id made of markup and quotes: it must render as this very text.
    static let hostileID = "dash/<img src=x onerror=\"document.title='pwned'\">'&"

    private func screenshotPath(_ name: String) throws -> String {
        let directory = ((try TestEnvironment.require(.tmpDir)) as NSString).appendingPathComponent("dashboard-screenshots")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (directory as NSString).appendingPathComponent(name)
    }

    /// The client ids the API lists online at dash-broker.
    private func onlineClients(_ base: String) throws -> [String] {
        let rows = try HTTP.get(base + "/api/v1/clients?broker=dash-broker&state=online").json?["clients"] as? [[String: Any]]
        return rows?.compactMap { $0["client_id"] as? String } ?? []
    }

    @Test("a connect shows online on the fleet and clients pages, its disconnect on its timeline, a killed broker as lost")
    func personSeesPresence() throws {
        let database = try ScratchDatabase.create(label: "ui_browser")
        let fixture = try ConnPluginFixture(
            label: "ui_browser", options: ["plugin_opt_conn_broker_id dash-broker"],
            extraConfig: SysIngesterProcess.brokerConfig, database: database)
        let uiPort = try LocalPorts.free()
        let ingester = try SysIngesterProcess.start(
            broker: fixture.broker, database: database, brokerName: "dash-broker",
            // The metrics endpoints share the dashboard's port (one Hummingbird server answers both).
            arguments: ["--ui-listen", "127.0.0.1:\(uiPort)", "--metrics-listen", "127.0.0.1:\(uiPort)"])
        let base = "http://127.0.0.1:\(uiPort)"
        try ingester.waitUntil("the dashboard answers") { (try? HTTP.get(base + "/healthz").status) == 200 }
        let browser = try BrowserSession()
        defer { browser.quit() }

        // Fleet: the broker is up.
        try browser.get(base + "/")
        try browser.waitForText("tr[data-broker='dash-broker'] td.broker-state", "up")
        // A marker in the page's JavaScript state: still there later means no reload happened,
        // whatever changed came through the live update.
        _ = try browser.script("window.dashboardMarker = 'kept'; return true;")
        try browser.screenshot(try screenshotPath("1-fleet-up.png"))

        // A client connects; the fleet page shows one more online without a reload. (The
        // ingester's own MQTT connection is a client of this broker too, so count from the API.)
        let onlineBefore = try onlineClients(base).count
        let connectedAt = Date()
        let client = try fixture.client(Self.hostileID, .v311, username: "<b>dash-user</b>")
        let fleetSeconds = try browser.waitForText(
            "tr[data-broker='dash-broker'] td.online", "\(onlineBefore + 1)", exact: true)
        print("dashboard: the connect showed on the fleet page \(String(format: "%.2f", Date().timeIntervalSince(connectedAt))) s after CONNACK (browser wait \(fleetSeconds) s)")
        #expect(try browser.script("return window.dashboardMarker;") as? String == "kept")
        try browser.screenshot(try screenshotPath("2-fleet-client-online.png"))
        // /metrics on the same port gains the presence gauges read from the database (every 5 s):
        // the online gauge counts what the API lists, our client included.
        var lastMetrics = ""
        do {
            try waitUntil(timeout: 60, "the presence gauges count the client online") {
                let online = try onlineClients(base)
                lastMetrics = try HTTP.get(base + "/metrics").body
                return online.contains(Self.hostileID)
                    && lastMetrics.contains(
                        "sys_ingester_presence_clients{broker=\"dash-broker\",state=\"online\"} \(online.count)\n")
                    && lastMetrics.contains("sys_ingester_presence_up 1")
            }
        } catch {
            let presence = lastMetrics.split(separator: "\n").filter { $0.contains("presence") || $0.contains("broker_state") }
            Issue.record("\(error); /metrics said: \(presence.joined(separator: " | "))")
            throw error
        }

        // Clients page: the hostile id is shown as text, its markup never became an element.
        try browser.get(base + "/clients?prefix=" + PercentEncoding.encodeForTest("dash/"))
        try browser.waitForText("tr.client td.client-id", Self.hostileID)
        #expect(try browser.texts("tr.client td.client-state") == ["online"])
        #expect(try browser.count("#clients img") == 0)
        #expect(try browser.script("return document.title;") as? String != "pwned")
        #expect(try browser.texts("tr.client td:nth-child(7)") == ["<b>dash-user</b>"])
        try browser.screenshot(try screenshotPath("3-clients-online.png"))

        // Its own page (reached through the link, so the id's percent-encoding round-trips): the
        // connect is on the timeline; then the client drops and the disconnect appears live.
        _ = try browser.script("document.querySelector('tr.client td.client-id a').click(); return true;")
        try browser.waitForText("#client-id", Self.hostileID)
        try browser.waitForText("tr.event td.event-type", "connect")
        _ = try browser.script("window.dashboardMarker = 'kept'; return true;")
        client.dropConnection()
        try browser.waitForText("tr.event td.event-type", "disconnect")
        #expect(try browser.script("return window.dashboardMarker;") as? String == "kept")
        #expect(try browser.texts("#presence td.client-state") == ["offline"])
        try browser.screenshot(try screenshotPath("4-client-timeline-disconnect.png"))

        // The broker dies without a word: the fleet page shows it lost.
        try browser.get(base + "/")
        try browser.waitForText("tr[data-broker='dash-broker'] td.broker-state", "up")
        fixture.broker.kill9()
        try browser.waitForText("tr[data-broker='dash-broker'] td.broker-state", "lost", timeout: 60)
        try browser.screenshot(try screenshotPath("5-fleet-broker-lost.png"))
        try waitUntil(timeout: 30, "the broker state gauge says lost") {
            try HTTP.get(base + "/metrics").body.contains("sys_ingester_broker_state{broker=\"dash-broker\",state=\"lost\"} 1")
        }

        // Droppers: the dropped connection counts as unclean once the daily fold has run.
        try browser.get(base + "/droppers")
        try browser.screenshot(try screenshotPath("6-droppers.png"))
        _ = ingester.stop()
    }
}

extension PercentEncoding {
    /// The dashboard's own encoding, as a test spells a URL by hand.
    static func encodeForTest(_ text: String) -> String { encode(text) }
}

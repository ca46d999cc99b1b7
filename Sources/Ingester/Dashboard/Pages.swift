/// The dashboard's HTML, rendered on the server. Every value that came from a client or a broker
/// (client id, username, peer, broker id, cause) goes through `HTML.escape`; links carry ids
/// through `PercentEncoding.encode`.
package enum Pages {
    /// Milliseconds between live updates of the fleet and client pages: a connect shows within
    /// about one second plus the query time.
    package static let refreshMilliseconds = 1000

    package enum Section: String { case fleet, clients, client, droppers }

    static func e(_ text: String?) -> String { HTML.escape(text ?? "") }

    package static func layout(title: String, section: Section?, body: String, live: Bool) -> String {
        let link = { (path: String, name: String, here: Section) in
            "<a href=\"\(path)\"\(section == here ? " class=\"here\"" : "")>\(name)</a>"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>\(e(title)) · mqtt-conn-truth</title><style>\(Assets.css)</style></head>
            <body><header><strong>mqtt-conn-truth</strong>\(link("/", "Fleet", .fleet))\(link("/clients", "Clients", .clients))\(link("/droppers", "Droppers", .droppers))
            <span class="live" id="live-status">\(live ? "live: every \(refreshMilliseconds / 1000) s" : "")</span></header>
            <main>\(body)</main><script>\(Assets.script)</script></body></html>
            """
    }

    static func notices(_ sources: DataSources) -> String {
        sources.notices.map { "<div class=\"notice\">\(e($0))</div>" }.joined()
    }

    static func state(_ state: String) -> String {
        "<span class=\"state state-\(e(state))\">\(e(state))</span>"
    }

    static func clientLink(_ clientID: String) -> String {
        "<a href=\"/clients/\(PercentEncoding.encode(clientID))\">\(e(clientID))</a>"
    }

    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "" }
        let whole = Int(seconds)
        if whole >= 86400 { return "\(whole / 86400) d \(whole % 86400 / 3600) h" }
        if whole >= 3600 { return "\(whole / 3600) h \(whole % 3600 / 60) min" }
        if whole >= 60 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole) s"
    }

    // MARK: Fleet

    package static func fleet(_ brokers: [BrokerSummary], sources: DataSources) -> String {
        var rows = ""
        for broker in brokers {
            let chart = BarChart(
                series: [
                    .init(name: "connects", cssClass: "series-a", values: broker.connectsPerMinute.map(Double.init)),
                    .init(name: "disconnects", cssClass: "series-b", values: broker.disconnectsPerMinute.map(Double.init)),
                ],
                labels: (0..<60).map { "\(59 - $0) min ago" }, width: 300, height: 80)
            rows += """
                <tr data-broker="\(e(broker.brokerID))"><td class="broker">\(e(broker.brokerID))</td>
                <td class="broker-state">\(state(broker.state))</td>
                <td class="num online">\(broker.online)</td><td class="num session-kept">\(broker.sessionKept)</td>
                <td class="num unknown">\(broker.unknown)</td><td class="num drift">\(broker.drift.map(String.init) ?? "–")</td>
                <td>\(chart.svg(title: "connects and disconnects per minute, last hour, \(broker.brokerID)"))</td>
                <td class="num">\(broker.messagesPerSecond.map { BarChart.number($0) } ?? "–")</td>
                <td>\(duration(broker.uptimeSeconds))</td><td>\(e(broker.lastSeen))</td></tr>
                """
        }
        let table =
            brokers.isEmpty
            ? "<p>No broker has reported to this database yet (broker_status is empty).</p>"
            : """
            <table id="brokers"><thead><tr><th>broker</th><th>state</th><th>online</th><th>session kept</th><th>unknown</th>
            <th>drift</th><th>last hour: <span class="legend-a">connects</span> / <span class="legend-b">disconnects</span> per minute</th>
            <th>messages/s</th><th>uptime</th><th>last seen (UTC)</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        return layout(
            title: "Fleet", section: .fleet,
            body: "<h1>Fleet</h1><div id=\"live\" data-refresh=\"\(refreshMilliseconds)\">\(notices(sources))\(table)</div>",
            live: true)
    }

    // MARK: Clients

    package static func clients(
        _ page: ClientPage, query: ClientListQuery, brokers: [String], sources: DataSources, pageURL: (Cursor.Client) -> String
    ) -> String {
        let brokerOptions = ([""] + brokers).map { broker in
            "<option value=\"\(e(broker))\"\(query.broker == broker || (broker.isEmpty && query.broker == nil) ? " selected" : "")>\(broker.isEmpty ? "every broker" : e(broker))</option>"
        }.joined()
        let stateOptions = ([nil] + ClientState.allCases.map(Optional.some)).map { state in
            "<option value=\"\(state?.rawValue ?? "")\"\(query.state == state ? " selected" : "")>\(state?.rawValue ?? "every state")</option>"
        }.joined()
        let form = """
            <form method="get" action="/clients" id="search">
            <label>client id starts with <input name="prefix" value="\(e(query.prefix))"></label>
            <label>username <input name="username" value="\(e(query.username))"></label>
            <label>broker <select name="broker">\(brokerOptions)</select></label>
            <label>state <select name="state">\(stateOptions)</select></label>
            <button type="submit">Search</button></form>
            """
        var rows = ""
        for client in page.clients {
            rows += """
                <tr class="client" data-client="\(e(client.clientID))"><td class="client-id">\(clientLink(client.clientID))</td>
                <td>\(e(client.brokerID))</td><td class="client-state">\(state(client.state))</td><td>\(e(client.since))</td>
                <td>\(e(client.peer))</td><td>\(e(client.protocol))</td><td>\(e(client.username))</td>
                <td class="num">\(client.dropsToday)</td><td class="num">\(client.dropsWeek)</td></tr>
                """
        }
        let table =
            page.clients.isEmpty
            ? "<p id=\"no-clients\">No client matches.</p>"
            : """
            <table id="clients"><thead><tr><th>client id</th><th>broker</th><th>state</th><th>since (UTC)</th><th>peer</th>
            <th>protocol</th><th>username</th><th>drops today</th><th>drops this week</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let more = page.next.map { "<p><a id=\"next-page\" href=\"\(e(pageURL($0)))\">next page</a></p>" } ?? ""
        return layout(
            title: "Clients", section: .clients,
            body: "<h1>Clients</h1>\(form)<div id=\"live\" data-refresh=\"\(refreshMilliseconds)\">\(notices(sources))\(table)\(more)</div>",
            live: true)
    }

    // MARK: One client

    /// The range choices of the client page, in days.
    package static let rangeChoices = [1, 7, 30]

    package static func client(
        clientID: String, days: Int, events: EventPage, daily: [DailyRow], presence: [ClientRow], sources: DataSources,
        olderURL: (Cursor.Event) -> String
    ) -> String {
        let ranges = rangeChoices.map { choice in
            choice == days
                ? "<strong>\(choice) d</strong>"
                : "<a href=\"/clients/\(PercentEncoding.encode(clientID))?days=\(choice)\">\(choice) d</a>"
        }.joined(separator: " · ")
        let presenceRows = presence.map { row in
            "<tr><td>\(e(row.brokerID))</td><td class=\"client-state\">\(state(row.state))</td><td>\(e(row.since))</td><td>\(e(row.peer))</td><td>\(e(row.protocol))</td><td>\(e(row.username))</td></tr>"
        }.joined()
        let presenceTable =
            presence.isEmpty
            ? "<p>This client has no presence row.</p>"
            : "<table id=\"presence\"><thead><tr><th>broker</th><th>state</th><th>since (UTC)</th><th>peer</th><th>protocol</th><th>username</th></tr></thead><tbody>\(presenceRows)</tbody></table>"
        let labels = daily.map(\.day)
        let drops = BarChart(
            series: [.init(name: "unclean disconnects", cssClass: "series-b", values: daily.map { Double($0.uncleanDisconnects) })],
            labels: labels)
        let online = BarChart(
            series: [.init(name: "hours online", cssClass: "series-a", values: daily.map { $0.onlineSeconds / 3600 })],
            labels: labels)
        var rows = ""
        for event in events.events {
            rows += """
                <tr class="event event-\(e(event.eventType))"><td>\(e(event.ts.display))</td><td class="event-type">\(e(event.eventType))</td>
                <td>\(event.reasonCode.map(String.init) ?? "")</td><td>\(e(event.cause))</td><td>\(e(event.brokerID))</td>
                <td>\(e(event.peer))</td><td>\(e(event.protocol))</td><td>\(e(event.username))</td></tr>
                """
        }
        let timeline =
            events.events.isEmpty
            ? "<p id=\"no-events\">No event in this range.</p>"
            : """
            <table id="timeline"><thead><tr><th>time (UTC)</th><th>event</th><th>reason code</th><th>cause</th><th>broker</th>
            <th>peer</th><th>protocol</th><th>username</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let older = events.next.map { "<p><a id=\"older\" href=\"\(e(olderURL($0)))\">older events</a></p>" } ?? ""
        return layout(
            title: clientID, section: .client,
            body: """
                <h1>Client <span class="mono" id="client-id">\(e(clientID))</span></h1><p>Range: \(ranges)</p>
                <div id="live" data-refresh="\(refreshMilliseconds)">\(notices(sources))\(presenceTable)
                <h2>Per day (UTC)</h2><p>\(captioned(drops, "unclean disconnects per day")) \(captioned(online, "hours online per day"))</p>
                <h2>Timeline, newest first</h2>\(timeline)\(older)</div>
                """,
            live: true)
    }

    /// A chart with its caption shown above it (the SVG's own title is only a tooltip).
    private static func captioned(_ chart: BarChart, _ caption: String) -> String {
        "<figure class=\"chart\"><figcaption>\(HTML.escape(caption))</figcaption>\(chart.svg(title: caption))</figure>"
    }

    // MARK: Droppers

    package static func droppers(today: [DropperRow], week: [DropperRow], sources: DataSources) -> String {
        func table(_ id: String, _ rows: [DropperRow]) -> String {
            guard !rows.isEmpty else { return "<p>No unclean disconnect.</p>" }
            return "<table id=\"\(id)\"><thead><tr><th>client id</th><th>unclean disconnects</th><th>disconnects</th><th>connects</th></tr></thead><tbody>"
                + rows.map { row in
                    "<tr><td>\(clientLink(row.clientID))</td><td class=\"num\">\(row.unclean)</td><td class=\"num\">\(row.disconnects)</td><td class=\"num\">\(row.connects)</td></tr>"
                }.joined() + "</tbody></table>"
        }
        return layout(
            title: "Droppers", section: .droppers,
            body: """
                <h1>Droppers</h1><p>Unclean disconnects: not a clean DISCONNECT and not a broker shutdown (client_daily_stats).</p>
                <div id="live" data-refresh="\(refreshMilliseconds * 5)">\(notices(sources))
                <h2>Today (UTC)</h2>\(table("droppers-today", today))<h2>Last 7 days</h2>\(table("droppers-week", week))</div>
                """,
            live: true)
    }

    // MARK: Errors and login

    package static func error(_ message: String, status: Int) -> String {
        layout(
            title: "Error \(status)", section: nil,
            body: "<div class=\"error\" id=\"error\">\(e(message))</div>", live: false)
    }

    package static func login(failed: Bool) -> String {
        layout(
            title: "Sign in", section: nil,
            body: """
                <h1>Sign in</h1>\(failed ? "<div class=\"error\">That token is not the dashboard's token.</div>" : "")
                <form method="post" action="/login"><label>Token <input type="password" name="token" autocomplete="current-password"></label>
                <button type="submit">Sign in</button></form>
                <p>The token is the content of the file given to sys-ingester as --ui-token-file.</p>
                """,
            live: false)
    }
}

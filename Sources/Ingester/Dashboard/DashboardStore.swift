import Storage

/// Every read of the dashboard: a handful of statements with bound parameters on the read-only
/// connections of `ReadOnlyDatabase`. The SQL text is fixed; only which optional relations it
/// joins depends on `DataSources` (a database without the ingester's tables still gets its
/// plugin data, and the other way round). Indexes they rely on: docs/dashboard.md.
package struct DashboardStore: Sendable {
    package let database: ReadOnlyDatabase

    package init(database: ReadOnlyDatabase) { self.database = database }

    private var timeout: Duration { database.statementTimeout + .seconds(1) }

    /// Relations read by some page; to_regclass answers NULL for a missing one.
    static let relations = [
        "broker_status", "client_presence", "client_broker_presence", "presence_drift", "ingest_gaps",
        "broker_metrics", "client_conn_events", "client_session_ends", "client_daily_stats", "events",
    ]

    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    // MARK: - Sources

    package func sources() async throws(ReadOnlyDatabase.ReadError) -> DataSources {
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            var names = PostgresArrayLiteral()
            for name in Self.relations { names.append(name) }
            let missing = try connection.execute(
                "SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL ORDER BY name",
                [names.value], timeout: timeout
            ).values.compactMap { $0[0] }
            var sources = DataSources(missingRelations: missing, pluginReports: false, ingesterReports: false)
            if !missing.contains("broker_status") {
                let row = try connection.execute(
                    "SELECT COALESCE(bool_or(plugin_version IS NOT NULL), false), COALESCE(bool_or(ingester_last_seen IS NOT NULL), false) FROM broker_status",
                    [], timeout: timeout
                ).values.first
                sources.pluginReports = row?[0] == "t"
                sources.ingesterReports = row?[1] == "t"
            }
            return sources
        }
    }

    // MARK: - Fleet

    /// One row per broker of broker_status, with its state, presence counts, drift, the last hour's
    /// connects and disconnects per minute, messages per second and uptime.
    /// - Parameter perMinute: whether to read the last hour's connects and disconnects per minute
    ///   (the fleet page's chart); the presence gauges, read every 5 s, do not show them.
    package func brokers(_ sources: DataSources, perMinute: Bool = true) async throws(ReadOnlyDatabase.ReadError) -> [BrokerSummary] {
        guard sources.has("broker_status") else { return [] }
        let sql = Self.fleetSQL(sources)
        let perMinuteSQL = perMinute ? Self.perMinuteSQL(sources) : nil
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            var brokers = try connection.execute(sql, [], timeout: timeout).values.map { row in
                BrokerSummary(
                    brokerID: row[0] ?? "", state: row[1] ?? "unknown", online: Int64(row[2] ?? "") ?? 0,
                    sessionKept: Int64(row[3] ?? "") ?? 0, unknown: Int64(row[4] ?? "") ?? 0,
                    offline: Int64(row[13] ?? "") ?? 0,
                    pluginDrift: row[5].flatMap { Int64($0) }, ingesterDrift: row[6].flatMap { Int64($0) },
                    sysConnected: row[7].flatMap { Int64($0) }, lastSeen: row[8], startedAt: row[9], stoppedAt: row[10],
                    uptimeSeconds: row[11].flatMap { Double($0) }, messagesPerSecond: row[12].flatMap { Double($0) },
                    connectsPerMinute: Array(repeating: 0, count: 60), disconnectsPerMinute: Array(repeating: 0, count: 60))
            }
            // A broker that is not running has no uptime and no message rate (its last values would
            // only grow stale).
            for position in brokers.indices where brokers[position].state == "lost" || brokers[position].state == "stopped" {
                brokers[position].uptimeSeconds = nil
                brokers[position].messagesPerSecond = nil
            }
            guard let perMinuteSQL else { return brokers }
            var index: [String: Int] = [:]
            for (position, broker) in brokers.enumerated() { index[broker.brokerID] = position }
            for row in try connection.execute(perMinuteSQL, [], timeout: timeout).values {
                guard let broker = row[0], let position = index[broker], let ago = Int(row[1] ?? ""), (0..<60).contains(ago)
                else { continue }
                let bucket = 59 - ago
                brokers[position].connectsPerMinute[bucket] = Int64(row[2] ?? "") ?? 0
                brokers[position].disconnectsPerMinute[bucket] = Int64(row[3] ?? "") ?? 0
            }
            return brokers
        }
    }

    static func fleetSQL(_ sources: DataSources) -> String {
        let presence = sources.has("client_presence")
        let drift = sources.has("presence_drift")
        let gaps = sources.has("ingest_gaps")
        let metrics = sources.has("broker_metrics")
        // The state, in order: a clean stop recorded; the ingester connected but no $SYS (an open
        // broker_silent gap); no sign of life for 3 status intervals (the rule of client_presence's
        // 'unknown'); else up.
        let silent =
            gaps
            ? "EXISTS (SELECT 1 FROM ingest_gaps g WHERE g.broker = b.broker_id AND g.kind = 'broker_silent' AND g.ended_at IS NULL)"
            : "false"
        return """
            WITH counts AS (
              \(presence ? """
                SELECT broker_id, count(*) FILTER (WHERE state = 'online') AS online,
                       count(*) FILTER (WHERE state = 'session_kept') AS session_kept,
                       count(*) FILTER (WHERE state = 'unknown') AS unknown,
                       count(*) FILTER (WHERE state = 'offline') AS offline
                FROM client_presence GROUP BY broker_id
                """ : "SELECT NULL::text AS broker_id, 0::bigint AS online, 0::bigint AS session_kept, 0::bigint AS unknown, 0::bigint AS offline WHERE false")
            )
            SELECT b.broker_id,
                   CASE WHEN b.stopped_at IS NOT NULL THEN 'stopped'
                        WHEN \(silent) THEN 'silent'
                        WHEN b.last_seen < now() - 3 * b.status_interval_s * interval '1 second' THEN 'lost'
                        ELSE 'up' END,
                   COALESCE(c.online, 0), COALESCE(c.session_kept, 0), COALESCE(c.unknown, 0),
                   \(drift ? "d.plugin_drift, d.ingester_drift, d.sys_connected" : "NULL, NULL, NULL"),
                   \(utc("b.last_seen")), \(utc("b.started_at")), \(utc("b.stopped_at")),
                   \(metrics
                     ? "COALESCE(up.value + extract(epoch FROM (now() AT TIME ZONE 'UTC') - up.ts), extract(epoch FROM now() - b.started_at))"
                     : "extract(epoch FROM now() - b.started_at)"),
                   \(metrics ? "msg.value / 60.0" : "NULL"), COALESCE(c.offline, 0)
            FROM broker_status b
            LEFT JOIN counts c USING (broker_id)
            \(drift ? "LEFT JOIN presence_drift d USING (broker_id)" : "")
            \(metrics ? """
              LEFT JOIN LATERAL (SELECT value, ts FROM broker_metrics m WHERE m.broker = b.broker_id AND m.metric = 'uptime'
                                 ORDER BY ts DESC LIMIT 1) up ON b.stopped_at IS NULL
              LEFT JOIN LATERAL (SELECT value FROM broker_metrics m WHERE m.broker = b.broker_id
                                   AND m.metric = 'load/messages/received/1min' ORDER BY ts DESC LIMIT 1) msg ON true
              """ : "")
            ORDER BY b.broker_id
            """
    }

    /// Connects and disconnects per broker and minute over the last hour (minutes ago, 0-59): from
    /// the plugin's history where a plugin reports, from the ingester's events otherwise.
    static func perMinuteSQL(_ sources: DataSources) -> String? {
        var parts: [String] = []
        if sources.has("client_conn_events") {
            parts.append(
                """
                SELECT extra->>'broker_id' AS broker_id, floor(extract(epoch FROM now() - ts) / 60)::int AS ago,
                       count(*) FILTER (WHERE event_type = 'connect') AS connects,
                       count(*) FILTER (WHERE event_type = 'disconnect') AS disconnects
                FROM client_conn_events WHERE ts > now() - interval '1 hour'
                GROUP BY 1, 2
                """)
        }
        if sources.has("events") {
            let pluginBrokers =
                sources.has("broker_status")
                ? "AND broker NOT IN (SELECT broker_id FROM broker_status WHERE plugin_version IS NOT NULL)" : ""
            parts.append(
                """
                SELECT broker, floor(extract(epoch FROM (now() AT TIME ZONE 'UTC') - ts) / 60)::int,
                       count(*) FILTER (WHERE action = 'connected'), count(*) FILTER (WHERE action = 'disconnected')
                FROM events WHERE ts > (now() AT TIME ZONE 'UTC') - interval '1 hour'
                  AND action IN ('connected', 'disconnected') \(pluginBrokers)
                GROUP BY 1, 2
                """)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "\nUNION ALL\n")
    }

    // MARK: - Clients

    /// One page of client_presence rows in (client_id, broker_id) order, after the cursor.
    package func clients(_ query: ClientListQuery, _ sources: DataSources) async throws(ReadOnlyDatabase.ReadError)
        -> ClientPage
    {
        guard sources.has("client_presence") else { return ClientPage(clients: [], next: nil) }
        let drops =
            sources.has("client_daily_stats")
            ? """
            LEFT JOIN LATERAL (
              SELECT sum(s.unclean_disconnects) FILTER (WHERE s.day = (now() AT TIME ZONE 'UTC')::date) AS today,
                     sum(s.unclean_disconnects) AS week
              FROM client_daily_stats s
              WHERE s.client_id = p.client_id AND s.broker_id = p.broker_id
                AND s.day > (now() AT TIME ZONE 'UTC')::date - 7) d ON true
            """ : "LEFT JOIN (SELECT NULL::bigint AS today, NULL::bigint AS week) d ON true"
        // One more row than asked tells whether there is a next page.
        let sql = """
            SELECT p.client_id, p.broker_id, p.state, \(Self.utc("p.since")), p.peer, p.protocol, p.username,
                   \(Self.utc("p.last_event_ts")), COALESCE(d.today, 0), COALESCE(d.week, 0)
            FROM client_presence p
            \(drops)
            WHERE ($1::text IS NULL OR p.broker_id = $1)
              AND ($2::text IS NULL OR p.state = $2)
              AND ($3::text IS NULL OR starts_with(p.client_id, $3))
              AND ($4::text IS NULL OR p.username = $4)
              AND ($5::text IS NULL OR (p.client_id, p.broker_id) > ($5, $6::text))
            ORDER BY p.client_id, p.broker_id
            LIMIT $7
            """
        let parameters: [PostgresValue?] = [
            query.broker.map(PostgresValue.text), query.state.map { .text($0.rawValue) },
            query.prefix.map(PostgresValue.text), query.username.map(PostgresValue.text),
            query.after.map { .text($0.clientID) }, query.after.map { .text($0.brokerID) }, .int(Int64(query.limit + 1)),
        ]
        let timeout = self.timeout
        let limit = query.limit
        return try await database.read { connection throws(PostgresError) in
            let rows = try connection.execute(sql, parameters, timeout: timeout).values.map { row in
                ClientRow(
                    clientID: row[0] ?? "", brokerID: row[1] ?? "", state: row[2] ?? "", since: row[3], peer: row[4],
                    protocol: row[5], username: row[6], lastEventTs: row[7], dropsToday: Int64(row[8] ?? "") ?? 0,
                    dropsWeek: Int64(row[9] ?? "") ?? 0)
            }
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { Cursor.Client(clientID: $0.clientID, brokerID: $0.brokerID) } : nil
            return ClientPage(clients: page, next: next)
        }
    }

    /// The brokers that appear in client presence, for the clients page's filter.
    package func brokerIDs(_ sources: DataSources) async throws(ReadOnlyDatabase.ReadError) -> [String] {
        guard sources.has("broker_status") else { return [] }
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            try connection.execute("SELECT broker_id FROM broker_status ORDER BY broker_id", [], timeout: timeout)
                .values.compactMap { $0[0] }
        }
    }

    // MARK: - One client

    /// The client's connects, disconnects and session ends, newest first, in [from, to), after the cursor.
    package func events(clientID: String, _ query: EventQuery, _ sources: DataSources)
        async throws(ReadOnlyDatabase.ReadError) -> EventPage
    {
        guard sources.has("client_conn_events") else { return EventPage(events: [], next: nil) }
        // Each branch is an index scan of (client_id, ts DESC) bounded by the range and the cursor
        // (the plain `ts <=` makes the cursor an index condition; the row comparison breaks ties),
        // limited before the merge.
        let branch = { (source: Int, select: String, table: String) in
            """
            (SELECT \(select)
             FROM \(table)
             WHERE client_id = $1
               AND ($2::bigint IS NULL OR ts >= timestamptz 'epoch' + $2::bigint * interval '1 microsecond')
               AND ($3::bigint IS NULL OR ts < timestamptz 'epoch' + $3::bigint * interval '1 microsecond')
               AND ($4::bigint IS NULL OR (ts <= timestamptz 'epoch' + $4::bigint * interval '1 microsecond'
                    AND (ts, \(source), id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::int, $6::bigint)))
             ORDER BY ts DESC, id DESC
             LIMIT $7)
            """
        }
        let micros = "(extract(epoch FROM ts) * 1000000)::bigint"
        var sql = branch(
            0,
            "\(micros) AS micros, 0 AS source, id, event_type, extra->>'broker_id', reason_code::bigint, peer, protocol, username, extra->>'cause'",
            "client_conn_events")
        if sources.has("client_session_ends") {
            sql += "\nUNION ALL\n"
                + branch(
                    1, "\(micros), 1, id, 'session_end', broker_id, NULL::bigint, NULL, NULL, NULL, cause",
                    "client_session_ends")
        }
        let merged = "SELECT * FROM (\(sql)) AS e ORDER BY 1 DESC, 2 DESC, 3 DESC LIMIT $7"
        let parameters: [PostgresValue?] = [
            .text(clientID), query.from.map { .int($0.microseconds) }, query.to.map { .int($0.microseconds) },
            query.after.map { .int($0.ts.microseconds) }, query.after.map { .int(Int64($0.source)) },
            query.after.map { .int($0.id) }, .int(Int64(query.limit + 1)),
        ]
        let timeout = self.timeout
        let limit = query.limit
        return try await database.read { connection throws(PostgresError) in
            let rows = try connection.execute(merged, parameters, timeout: timeout).values.map { row in
                let ts = Timestamp(microseconds: Int64(row[0] ?? "") ?? 0)
                return EventRow(
                    ts: ts, eventType: row[3] ?? "", brokerID: row[4], reasonCode: row[5].flatMap { Int64($0) },
                    peer: row[6], protocol: row[7], username: row[8], cause: row[9],
                    key: Cursor.Event(ts: ts, source: Int(row[1] ?? "") ?? 0, id: Int64(row[2] ?? "") ?? 0))
            }
            let page = Array(rows.prefix(limit))
            return EventPage(events: page, next: rows.count > limit ? page.last?.key : nil)
        }
    }

    /// Unclean disconnects and online time per UTC day over the last `days` days, every day present.
    package func daily(clientID: String, days: Int, _ sources: DataSources) async throws(ReadOnlyDatabase.ReadError)
        -> [DailyRow]
    {
        guard sources.has("client_daily_stats") else { return [] }
        let sql = """
            SELECT to_char(g.day, 'YYYY-MM-DD'), COALESCE(sum(s.unclean_disconnects), 0), COALESCE(sum(s.online_seconds), 0)
            FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($2::int - 1), (now() AT TIME ZONE 'UTC')::date,
                                 interval '1 day') AS g(day)
            LEFT JOIN client_daily_stats s ON s.client_id = $1 AND s.day = g.day::date
            GROUP BY g.day ORDER BY g.day
            """
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            try connection.execute(sql, [.text(clientID), .int(Int64(days))], timeout: timeout).values.map { row in
                DailyRow(
                    day: row[0] ?? "", uncleanDisconnects: Int64(row[1] ?? "") ?? 0,
                    onlineSeconds: Double(row[2] ?? "") ?? 0)
            }
        }
    }

    // MARK: - Droppers

    /// The clients with the most unclean disconnects today (UTC) and over the last 7 UTC days.
    package func droppers(limit: Int, _ sources: DataSources) async throws(ReadOnlyDatabase.ReadError)
        -> (today: [DropperRow], week: [DropperRow])
    {
        guard sources.has("client_daily_stats") else { return ([], []) }
        // The ranking reads only client-days with an unclean disconnect (the partial index of
        // schema/040_dashboard.sql, an index-only scan); the other counts are summed for the 50
        // ranked clients alone.
        let sql = """
            WITH top AS (
              SELECT client_id, sum(unclean_disconnects) AS unclean
              FROM client_daily_stats
              WHERE day > (now() AT TIME ZONE 'UTC')::date - $1::int AND unclean_disconnects > 0
              GROUP BY client_id
              ORDER BY unclean DESC, client_id
              LIMIT $2)
            SELECT t.client_id, t.unclean, s.disconnects, s.connects
            FROM top t
            CROSS JOIN LATERAL (
              SELECT sum(d.disconnects) AS disconnects, sum(d.connects) AS connects
              FROM client_daily_stats d
              WHERE d.client_id = t.client_id AND d.day > (now() AT TIME ZONE 'UTC')::date - $1::int) s
            ORDER BY t.unclean DESC, t.client_id
            """
        let timeout = self.timeout
        return try await database.read { connection throws(PostgresError) in
            func rows(_ days: Int) throws(PostgresError) -> [DropperRow] {
                try connection.execute(sql, [.int(Int64(days)), .int(Int64(limit))], timeout: timeout).values.map { row in
                    DropperRow(
                        clientID: row[0] ?? "", unclean: Int64(row[1] ?? "") ?? 0,
                        disconnects: Int64(row[2] ?? "") ?? 0, connects: Int64(row[3] ?? "") ?? 0)
                }
            }
            return (try rows(1), try rows(7))
        }
    }
}

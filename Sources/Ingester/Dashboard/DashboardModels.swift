/// What the pages and the API show, read from PostgreSQL by `DashboardStore`.

/// Which of the tables the dashboard reads exist and hold data, so a page can say what is missing:
/// an install running only the plugin has no broker_metrics rows, one running only the ingester no
/// client presence.
package struct DataSources: Sendable {
    /// Relations the queries need that do not exist in this database.
    package var missingRelations: [String]
    /// Some broker_status row was written by a conn-plugin (client presence is recorded).
    package var pluginReports: Bool
    /// Some broker_status row was written by sys-ingester (broker metrics are recorded).
    package var ingesterReports: Bool

    package init(missingRelations: [String], pluginReports: Bool, ingesterReports: Bool) {
        self.missingRelations = missingRelations
        self.pluginReports = pluginReports
        self.ingesterReports = ingesterReports
    }

    package func has(_ relation: String) -> Bool { !missingRelations.contains(relation) }

    /// Sentences for the page's notice box; empty when everything is there.
    package var notices: [String] {
        var notices: [String] = []
        if !missingRelations.isEmpty {
            notices.append(
                "Missing in this database: \(missingRelations.joined(separator: ", ")). The parts of the page that read them are empty; "
                    + "start conn-plugin (client presence and history) and sys-ingester (broker metrics) once against it to create them.")
        }
        if !pluginReports {
            notices.append(
                "No conn-plugin reports to this database: client presence, history and drops come from the plugin loaded into each broker.")
        }
        if !ingesterReports {
            notices.append(
                "No sys-ingester watches these brokers: messages per second, the $SYS client count and silence come from its --host/--config brokers.")
        }
        return notices
    }
}

package struct BrokerSummary: Sendable {
    package var brokerID: String
    /// up, silent, lost or stopped.
    package var state: String
    package var online: Int64
    package var sessionKept: Int64
    package var unknown: Int64
    package var offline: Int64
    package var pluginDrift: Int64?
    package var ingesterDrift: Int64?
    package var sysConnected: Int64?
    package var lastSeen: String?
    package var startedAt: String?
    package var stoppedAt: String?
    package var uptimeSeconds: Double?
    package var messagesPerSecond: Double?
    /// The last 60 minutes, oldest first; the last bucket is the minute in progress.
    package var connectsPerMinute: [Int64]
    package var disconnectsPerMinute: [Int64]

    /// presence_drift's plugin side when a plugin reports, else the ingester's.
    package var drift: Int64? { pluginDrift ?? ingesterDrift }

    package var json: JSONValue {
        .object([
            ("broker_id", .string(brokerID)), ("state", .string(state)), ("online", .int(online)),
            ("session_kept", .int(sessionKept)), ("unknown", .int(unknown)), ("offline", .int(offline)),
            ("drift", .int(drift)),
            ("plugin_drift", .int(pluginDrift)), ("ingester_drift", .int(ingesterDrift)),
            ("sys_connected", .int(sysConnected)), ("last_seen", .string(lastSeen)), ("started_at", .string(startedAt)),
            ("stopped_at", .string(stoppedAt)), ("uptime_seconds", .double(uptimeSeconds)),
            ("messages_per_second", .double(messagesPerSecond)),
            ("connects_per_minute", .array(connectsPerMinute.map { .int($0) })),
            ("disconnects_per_minute", .array(disconnectsPerMinute.map { .int($0) })),
        ])
    }
}

package struct ClientRow: Sendable {
    package var clientID: String
    package var brokerID: String
    package var state: String
    package var since: String?
    package var peer: String?
    package var `protocol`: String?
    package var username: String?
    package var lastEventTs: String?
    package var dropsToday: Int64
    package var dropsWeek: Int64

    package init(
        clientID: String, brokerID: String, state: String, since: String?, peer: String?, protocol: String?,
        username: String?, lastEventTs: String?, dropsToday: Int64, dropsWeek: Int64
    ) {
        self.clientID = clientID
        self.brokerID = brokerID
        self.state = state
        self.since = since
        self.peer = peer
        self.protocol = `protocol`
        self.username = username
        self.lastEventTs = lastEventTs
        self.dropsToday = dropsToday
        self.dropsWeek = dropsWeek
    }

    package var json: JSONValue {
        .object([
            ("client_id", .string(clientID)), ("broker_id", .string(brokerID)), ("state", .string(state)),
            ("since", .string(since)), ("peer", .string(peer)), ("protocol", .string(`protocol`)),
            ("username", .string(username)), ("last_event_ts", .string(lastEventTs)),
            ("drops_today", .int(dropsToday)), ("drops_week", .int(dropsWeek)),
        ])
    }
}

package struct ClientPage: Sendable {
    package var clients: [ClientRow]
    package var next: Cursor.Client?

    package init(clients: [ClientRow], next: Cursor.Client?) {
        self.clients = clients
        self.next = next
    }

    package var json: JSONValue {
        .object([("clients", .array(clients.map(\.json))), ("next", .string(next.map(Cursor.encode)))])
    }
}

package struct EventRow: Sendable {
    package var ts: Timestamp
    /// connect, disconnect, or session_end (a kept session ended after its connection).
    package var eventType: String
    package var brokerID: String?
    package var reasonCode: Int64?
    package var peer: String?
    package var `protocol`: String?
    package var username: String?
    /// extra->>'cause' of a disconnect, client_session_ends.cause of a session end.
    package var cause: String?
    package var key: Cursor.Event

    package var json: JSONValue {
        .object([
            ("ts", .string(ts.description)), ("event_type", .string(eventType)), ("broker_id", .string(brokerID)),
            ("reason_code", .int(reasonCode)), ("peer", .string(peer)), ("protocol", .string(`protocol`)),
            ("username", .string(username)), ("cause", .string(cause)),
        ])
    }
}

package struct EventPage: Sendable {
    package var events: [EventRow]
    package var next: Cursor.Event?

    package var json: JSONValue {
        .object([("events", .array(events.map(\.json))), ("next", .string(next.map(Cursor.encode)))])
    }
}

package struct DailyRow: Sendable {
    package var day: String
    package var uncleanDisconnects: Int64
    package var onlineSeconds: Double

    package var json: JSONValue {
        .object([
            ("day", .string(day)), ("unclean_disconnects", .int(uncleanDisconnects)),
            ("online_seconds", .double(onlineSeconds)),
        ])
    }
}

package struct DropperRow: Sendable {
    package var clientID: String
    package var unclean: Int64
    package var disconnects: Int64
    package var connects: Int64

    package var json: JSONValue {
        .object([
            ("client_id", .string(clientID)), ("unclean_disconnects", .int(unclean)),
            ("disconnects", .int(disconnects)), ("connects", .int(connects)),
        ])
    }
}

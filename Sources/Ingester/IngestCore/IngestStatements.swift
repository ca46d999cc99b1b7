import Storage

// The statements the ingester runs, one type each: the SQL is the file of `Sources/Ingester/IngestCore/sql/`
// of the same name (compiled in by SwiftPM's `.embedInCode`), and `bindings` lists the fields in
// the file's `$n` order. Timestamps travel as epoch microseconds (`bigint`, exact) and are stored
// as UTC `TIMESTAMP`s, the seed's column type.

// MARK: - Start

/// The clients with an open session at `broker`, for the tracker at start (sql/open_clients.sql).
package struct OpenClients: PostgresStatement {
    package static let sql = String(decoding: PackageResources.open_clients_sql, as: UTF8.self)
    package static let name = "sys_open_clients"
    package let broker: String

    package init(broker: String) { self.broker = broker }

    package var bindings: [PostgresValue?] { [.text(broker)] }
}

/// The latest stored uptime of `broker` and its ingest time in epoch microseconds (sql/last_uptime.sql).
package struct LastUptime: PostgresStatement {
    package static let sql = String(decoding: PackageResources.last_uptime_sql, as: UTF8.self)
    package static let name = "sys_last_uptime"
    package let broker: String

    package init(broker: String) { self.broker = broker }

    package var bindings: [PostgresValue?] { [.text(broker)] }
}

// MARK: - A burst

/// One `broker_metrics` row per metric of the burst (sql/insert_metrics.sql).
package struct InsertMetrics: PostgresStatement {
    package static let sql = String(decoding: PackageResources.insert_metrics_sql, as: UTF8.self)
    package static let name = "sys_insert_metrics"
    package let broker: String
    package let metrics: [(metric: String, value: Double, atMicros: Int64)]

    package init(broker: String, metrics: [(metric: String, value: Double, atMicros: Int64)]) {
        self.broker = broker
        self.metrics = metrics
    }

    package var bindings: [PostgresValue?] {
        var names = PostgresArrayLiteral()
        var values = PostgresArrayLiteral()
        var times = PostgresArrayLiteral()
        for row in metrics {
            names.append(row.metric)
            values.append(String(row.value))
            times.append(row.atMicros)
        }
        return [.text(broker), names.value, values.value, times.value]
    }
}

/// One `events` row per log line of the burst, in order (sql/insert_events.sql).
package struct InsertEvents: PostgresStatement {
    package static let sql = String(decoding: PackageResources.insert_events_sql, as: UTF8.self)
    package static let name = "sys_insert_events"
    package let broker: String
    package let events: [BrokerLogEvent]

    package init(broker: String, events: [BrokerLogEvent]) {
        self.broker = broker
        self.events = events
    }

    package var bindings: [PostgresValue?] {
        var ts = PostgresArrayLiteral()
        var action = PostgresArrayLiteral()
        var client = PostgresArrayLiteral()
        var topic = PostgresArrayLiteral()
        var qos = PostgresArrayLiteral()
        var username = PostgresArrayLiteral()
        var raw = PostgresArrayLiteral()
        for event in events {
            ts.append(event.timestampMicros)
            action.append(event.action.rawValue)
            client.append(event.client)
            topic.append(event.topic)
            qos.append(event.qos.map(Int64.init))
            username.append(event.username)
            raw.append(event.raw)
        }
        return [.text(broker), ts.value, action.value, client.value, topic.value, qos.value, username.value, raw.value]
    }
}

/// Creates or widens the `clients` row of `touch.client`; the username is replaced only when
/// `touch.setsUsername` (sql/upsert_client.sql).
package struct UpsertClient: PostgresStatement {
    package static let sql = String(decoding: PackageResources.upsert_client_sql, as: UTF8.self)
    package static let name = "sys_upsert_client"
    package let touch: ClientTouch

    package init(_ touch: ClientTouch) { self.touch = touch }

    package var bindings: [PostgresValue?] {
        [
            .text(touch.client), touch.username.map(PostgresValue.text), .int(touch.firstSeenMicros),
            .int(touch.lastSeenMicros), .bool(touch.setsUsername),
        ]
    }
}

/// Moves `last_seen` of an existing `clients` row only: a disconnect whose "client" may be a peer
/// address (sql/touch_client.sql).
package struct TouchClient: PostgresStatement {
    package static let sql = String(decoding: PackageResources.touch_client_sql, as: UTF8.self)
    package static let name = "sys_touch_client"
    package let client: String
    package let lastSeenMicros: Int64

    package init(client: String, lastSeenMicros: Int64) {
        self.client = client
        self.lastSeenMicros = lastSeenMicros
    }

    package var bindings: [PostgresValue?] { [.text(client), .int(lastSeenMicros)] }
}

/// Closes the client's open session(s) at `broker` (sql/close_session.sql).
package struct CloseSession: PostgresStatement {
    package static let sql = String(decoding: PackageResources.close_session_sql, as: UTF8.self)
    package static let name = "sys_close_session"
    package let broker: String
    package let client: String
    package let atMicros: Int64

    package init(broker: String, client: String, atMicros: Int64) {
        self.broker = broker
        self.client = client
        self.atMicros = atMicros
    }

    package var bindings: [PostgresValue?] { [.text(broker), .text(client), .int(atMicros)] }
}

/// Opens a session (sql/open_session.sql).
package struct OpenSession: PostgresStatement {
    package static let sql = String(decoding: PackageResources.open_session_sql, as: UTF8.self)
    package static let name = "sys_open_session"
    package let broker: String
    package let client: String
    package let username: String?
    package let atMicros: Int64

    package init(broker: String, client: String, username: String?, atMicros: Int64) {
        self.broker = broker
        self.client = client
        self.username = username
        self.atMicros = atMicros
    }

    package var bindings: [PostgresValue?] {
        [.text(broker), .text(client), username.map(PostgresValue.text), .int(atMicros)]
    }
}

/// Closes every open session at `broker` except those of `keep` (sql/close_all_sessions.sql).
package struct CloseAllSessions: PostgresStatement {
    package static let sql = String(decoding: PackageResources.close_all_sessions_sql, as: UTF8.self)
    package static let name = "sys_close_all"
    package let broker: String
    package let keep: [String]
    package let atMicros: Int64

    package init(broker: String, keep: [String], atMicros: Int64) {
        self.broker = broker
        self.keep = keep
        self.atMicros = atMicros
    }

    package var bindings: [PostgresValue?] {
        var list = PostgresArrayLiteral()
        for client in keep { list.append(client) }
        return [.text(broker), list.value, .int(atMicros)]
    }
}

/// An active subscription in the client's open session (sql/subscribe.sql).
package struct Subscribe: PostgresStatement {
    package static let sql = String(decoding: PackageResources.subscribe_sql, as: UTF8.self)
    package static let name = "sys_subscribe"
    package let broker: String
    package let client: String
    package let topic: String
    package let qos: Int
    package let atMicros: Int64

    package init(broker: String, client: String, topic: String, qos: Int, atMicros: Int64) {
        self.broker = broker
        self.client = client
        self.topic = topic
        self.qos = qos
        self.atMicros = atMicros
    }

    package var bindings: [PostgresValue?] {
        [.text(broker), .text(client), .text(topic), .int(Int64(qos)), .int(atMicros)]
    }
}

/// An inactive subscription in the client's open session, keeping the stored qos
/// (sql/unsubscribe.sql).
package struct Unsubscribe: PostgresStatement {
    package static let sql = String(decoding: PackageResources.unsubscribe_sql, as: UTF8.self)
    package static let name = "sys_unsubscribe"
    package let broker: String
    package let client: String
    package let topic: String
    package let atMicros: Int64

    package init(broker: String, client: String, topic: String, atMicros: Int64) {
        self.broker = broker
        self.client = client
        self.topic = topic
        self.atMicros = atMicros
    }

    package var bindings: [PostgresValue?] { [.text(broker), .text(client), .text(topic), .int(atMicros)] }
}

/// The broker is alive: its broker_status row (sql/touch_broker_status.sql).
package struct TouchBrokerStatus: PostgresStatement {
    package static let sql = String(decoding: PackageResources.touch_broker_status_sql, as: UTF8.self)
    package static let name = "sys_touch_broker_status"
    /// Seconds between the messages a broker sends at least (its `$SYS` refresh, sys_interval 10 by
    /// default, with margin); the presence view calls a broker silent after three of them.
    package static let expectedIntervalSeconds = 30
    package let broker: String
    /// When its newest message of the burst was received, epoch microseconds.
    package let seenAtMicros: Int64

    package init(broker: String, seenAtMicros: Int64) {
        self.broker = broker
        self.seenAtMicros = seenAtMicros
    }

    package var bindings: [PostgresValue?] {
        [.text(broker), .int(seenAtMicros), .int(Int64(Self.expectedIntervalSeconds))]
    }
}

// MARK: - Gaps

/// When an ingester last heard `broker` (sql/last_heard.sql), for the gap the first connection
/// of a new process may close.
package struct LastHeard: PostgresStatement {
    package static let sql = String(decoding: PackageResources.last_heard_sql, as: UTF8.self)
    package static let name = "sys_last_heard"
    package let broker: String

    package init(broker: String) { self.broker = broker }

    package var bindings: [PostgresValue?] { [.text(broker)] }
}

/// One `ingest_gaps` row (sql/insert_gap.sql).
package struct InsertGap: PostgresStatement {
    package static let sql = String(decoding: PackageResources.insert_gap_sql, as: UTF8.self)
    package static let name = "sys_insert_gap"
    package let broker: String
    package let gap: IngestGap

    package init(broker: String, gap: IngestGap) {
        self.broker = broker
        self.gap = gap
    }

    package var bindings: [PostgresValue?] {
        [
            .text(broker), .text(gap.kind.rawValue), .int(gap.startedAtMicros), gap.endedAtMicros.map(PostgresValue.int),
            .int(Int64(gap.sessionsClosed)),
        ]
    }
}

/// Ends the open `broker_silent` gap of `broker` (sql/end_silent_gap.sql).
package struct EndSilentGap: PostgresStatement {
    package static let sql = String(decoding: PackageResources.end_silent_gap_sql, as: UTF8.self)
    package static let name = "sys_end_silent_gap"
    package let broker: String
    package let atMicros: Int64

    package init(broker: String, atMicros: Int64) {
        self.broker = broker
        self.atMicros = atMicros
    }

    package var bindings: [PostgresValue?] { [.text(broker), .int(atMicros)] }
}

// MARK: - Rollups and retention

/// Folds the samples of a burst into `broker_metrics_rollup` (sql/upsert_metric_rollup.sql); the
/// same bindings as `InsertMetrics`, run after it in the burst's transaction.
package struct UpsertMetricRollup: PostgresStatement {
    package static let sql = String(decoding: PackageResources.upsert_metric_rollup_sql, as: UTF8.self)
    package static let name = "sys_upsert_metric_rollup"
    package let samples: InsertMetrics

    package init(_ samples: InsertMetrics) { self.samples = samples }

    package var bindings: [PostgresValue?] { samples.bindings }
}

/// One bounded retention step of one table: deletes at most `limit` rows older than `days` days
/// (the table's file of sql/prune_*.sql); `affectedRows` says how many. A `VariantStatement`: its
/// SQL and prepared name depend on the table.
package struct PruneStep: VariantStatement {
    /// The tables the ingester prunes, in the order of a run, with their statement.
    package enum Table: String, CaseIterable, Sendable {
        case brokerMetrics = "broker_metrics"
        case events
        case sessions
        case subscriptions
        case brokerMetricsRollup = "broker_metrics_rollup"

        package var sql: String {
            switch self {
            case .brokerMetrics: String(decoding: PackageResources.prune_broker_metrics_sql, as: UTF8.self)
            case .events: String(decoding: PackageResources.prune_events_sql, as: UTF8.self)
            case .sessions: String(decoding: PackageResources.prune_sessions_sql, as: UTF8.self)
            case .subscriptions: String(decoding: PackageResources.prune_subscriptions_sql, as: UTF8.self)
            case .brokerMetricsRollup: String(decoding: PackageResources.prune_metric_rollups_sql, as: UTF8.self)
            }
        }
    }

    package let table: Table
    package let days: Int
    package let limit: Int

    package init(table: Table, days: Int, limit: Int) {
        self.table = table
        self.days = days
        self.limit = limit
    }

    package var prepared: PreparedStatement { PreparedStatement(name: "sys_prune_\(table.rawValue)", sql: table.sql) }

    package var bindings: [PostgresValue?] { [.int(Int64(days)), .int(Int64(limit))] }
}

/// The ingester's retention job as the Maintenance target's `RetentionJob` knows it.
package enum MaintenanceLock {
    /// The key of the ingester's retention job (`ingester_retention`), the same in every ingester:
    /// of all ingesters sharing a database, one prunes at a time. Documented in docs/sys-ingester.md.
    package static let retentionKey: Int64 = 7_231_403_360_217_471
    package static let retentionJob = "ingester_retention"
}

import Testing

@testable import IngesterMetrics

@Suite("SysMetricName")
struct SysMetricNameTests {
    /// mosquitto's own `$SYS` metrics (mosquitto(8), both generations' captures).
    static let brokerPaths: [(String, String, SysMetricName.Kind)] = [
        ("clients/connected", "mosquitto_clients_connected", .gauge),
        ("$SYS/broker/clients/connected", "mosquitto_clients_connected", .gauge),
        ("clients/total", "mosquitto_clients_total", .gauge),
        ("clients/maximum", "mosquitto_clients_maximum", .gauge),
        ("clients/disconnected", "mosquitto_clients_disconnected", .gauge),
        ("clients/expired", "mosquitto_clients_expired_total", .counter),
        ("bytes/received", "mosquitto_bytes_received_total", .counter),
        ("bytes/sent", "mosquitto_bytes_sent_total", .counter),
        ("messages/received", "mosquitto_messages_received_total", .counter),
        ("messages/sent", "mosquitto_messages_sent_total", .counter),
        ("messages/inflight", "mosquitto_messages_inflight", .gauge),
        ("publish/messages/received", "mosquitto_publish_messages_received_total", .counter),
        ("publish/messages/sent", "mosquitto_publish_messages_sent_total", .counter),
        ("publish/messages/dropped", "mosquitto_publish_messages_dropped_total", .counter),
        ("publish/bytes/received", "mosquitto_publish_bytes_received_total", .counter),
        ("publish/bytes/sent", "mosquitto_publish_bytes_sent_total", .counter),
        ("retained messages/count", "mosquitto_retained_messages_count", .gauge),
        ("store/messages/count", "mosquitto_store_messages_count", .gauge),
        ("store/messages/bytes", "mosquitto_store_messages_bytes", .gauge),
        ("subscriptions/count", "mosquitto_subscriptions_count", .gauge),
        ("shared_subscriptions/count", "mosquitto_shared_subscriptions_count", .gauge),
        ("heap/current", "mosquitto_heap_current", .gauge),
        ("heap/maximum size", "mosquitto_heap_maximum_size", .gauge),
        ("load/messages/received/1min", "mosquitto_load_messages_received_1min", .gauge),
        ("load/publish/dropped/15min", "mosquitto_load_publish_dropped_15min", .gauge),
        ("packet/out/count", "mosquitto_packet_out_count", .gauge),
        ("connections/socket/count", "mosquitto_connections_socket_count", .gauge),
        ("connection/bridge-a/state", "mosquitto_connection_bridge_a_state", .gauge),
        ("uptime", "mosquitto_uptime", .gauge),
        ("a.b:c+d/é", "mosquitto_a_b_c_d__", .gauge),
    ]

    /// The plugin's status (README.md, "Status"): five counters, five gauges.
    static let pluginPaths: [(String, String, SysMetricName.Kind)] = [
        ("conn-plugin/events/seen", "mosquitto_conn_plugin_events_seen_total", .counter),
        ("conn-plugin/events/written", "mosquitto_conn_plugin_events_written_total", .counter),
        ("conn-plugin/events/spooled", "mosquitto_conn_plugin_events_spooled_total", .counter),
        ("conn-plugin/events/dropped", "mosquitto_conn_plugin_events_dropped_total", .counter),
        ("conn-plugin/events/dead-lettered", "mosquitto_conn_plugin_events_dead_lettered_total", .counter),
        ("conn-plugin/events/queued", "mosquitto_conn_plugin_events_queued", .gauge),
        ("conn-plugin/spool/bytes", "mosquitto_conn_plugin_spool_bytes", .gauge),
        ("conn-plugin/database/connected", "mosquitto_conn_plugin_database_connected", .gauge),
        ("$SYS/broker/conn-plugin/write/latency-us", "mosquitto_conn_plugin_write_latency_us", .gauge),
        ("conn-plugin/write/batch-size", "mosquitto_conn_plugin_write_batch_size", .gauge),
    ]

    @Test("paths map to mosquitto_ names, counters with _total", arguments: brokerPaths + pluginPaths)
    func mapping(topic: String, name: String, kind: SysMetricName.Kind) throws {
        let mapped = try #require(SysMetricName.map(topic))
        #expect(mapped.name == name)
        #expect(mapped.kind == kind)
    }

    @Test("deprecated aliases share their current name's series")
    func aliases() {
        #expect(SysMetricName.map("clients/active")?.name == "mosquitto_clients_connected")
        #expect(SysMetricName.map("$SYS/broker/clients/inactive")?.name == "mosquitto_clients_disconnected")
        #expect(SysMetricName.map("messages/stored")?.path == "store/messages/count")
    }

    @Test(
        "log lines, the version and other trees are not metrics",
        arguments: [
            "$SYS/broker/log/N", "log/M/subscribe", "log", "$SYS/broker/version", "version", "", "$SYS/broker/",
            "$SYS/other/x", "$SYS",
        ])
    func notMetrics(topic: String) {
        #expect(SysMetricName.map(topic) == nil)
    }

    @Test("every name is a valid Prometheus metric name")
    func validNames() throws {
        for topic in ["clients/connected", "1/2", " ", "-", "ü", "conn-plugin/write/latency-us", "a\u{0}b", "x_total"] {
            let name = try #require(SysMetricName.map(topic)).name
            let valid = name.unicodeScalars.enumerated().allSatisfy { index, scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "_": true
                case "0"..."9": index > 0
                default: false
                }
            }
            #expect(valid, "\(name)")
        }
        #expect(SysMetricName.map("x_total")?.name == "mosquitto_x_total")
    }
}

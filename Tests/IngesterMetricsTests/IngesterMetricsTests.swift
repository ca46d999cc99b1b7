import Foundation
import Testing

@testable import IngesterMetrics

@Suite("IngesterMetrics")
struct IngesterMetricsTests {
    /// The rendered series lines (no comments) whose name starts with `prefix`.
    private func series(_ metrics: IngesterMetrics, _ prefix: String) -> [String] {
        metrics.render().split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    private func typeLine(_ metrics: IngesterMetrics, _ name: String) -> String? {
        metrics.render().split(separator: "\n").map(String.init).first { $0.hasPrefix("# TYPE \(name) ") }
    }

    @Test("a fresh instance: PostgreSQL and configured brokers down, counters at zero")
    func fresh() {
        let metrics = IngesterMetrics(brokers: ["b1", "b2"])
        #expect(
            series(metrics, "sys_ingester_broker_up") == [
                #"sys_ingester_broker_up{broker="b1"} 0.0"#, #"sys_ingester_broker_up{broker="b2"} 0.0"#,
            ])
        #expect(series(metrics, "sys_ingester_pg_up") == ["sys_ingester_pg_up 0.0"])
        #expect(series(metrics, "sys_ingester_queue_depth") == ["sys_ingester_queue_depth 0.0"])
        #expect(series(metrics, "sys_ingester_lost_total") == ["sys_ingester_lost_total 0"])
        #expect(
            series(metrics, "sys_ingester_broker_reconnects_total") == [
                #"sys_ingester_broker_reconnects_total{broker="b1"} 0"#,
                #"sys_ingester_broker_reconnects_total{broker="b2"} 0"#,
            ])
        #expect(
            series(metrics, "sys_ingester_write_duration_seconds_count") == [
                "sys_ingester_write_duration_seconds_count 0"
            ])
        #expect(
            typeLine(metrics, "sys_ingester_write_duration_seconds")
                == "# TYPE sys_ingester_write_duration_seconds histogram")
        #expect(typeLine(metrics, "sys_ingester_lost_total") == "# TYPE sys_ingester_lost_total counter")
        #expect(series(metrics, "mosquitto_").isEmpty)
        #expect(series(metrics, "sys_ingester_last_message").isEmpty)
    }

    @Test("the ingester's own series")
    func own() {
        let metrics = IngesterMetrics(brokers: ["b1"])
        metrics.brokerUp("b1", true)
        metrics.brokerReconnected("b1")
        metrics.brokerReconnected("b1")
        metrics.messageReceived(broker: "b1", atMicros: 1_700_000_000_500_000)
        metrics.messageReceived(broker: "b1", atMicros: 1_700_000_001_500_000)
        metrics.pgUp(true)
        metrics.rowsWritten(table: "broker_metrics", count: 40)
        metrics.rowsWritten(table: "broker_metrics", count: 2)
        metrics.rowsWritten(table: "events", count: 3)
        metrics.writeDuration(seconds: 0.003)
        metrics.writeDuration(seconds: 2)
        metrics.writeDuration(seconds: .nan)
        metrics.queueDepth(17)
        metrics.lost(5)
        metrics.lost(-1)
        #expect(series(metrics, "sys_ingester_broker_up") == [#"sys_ingester_broker_up{broker="b1"} 1.0"#])
        #expect(
            series(metrics, "sys_ingester_broker_reconnects_total") == [
                #"sys_ingester_broker_reconnects_total{broker="b1"} 2"#
            ])
        #expect(
            series(metrics, "sys_ingester_messages_received_total") == [
                #"sys_ingester_messages_received_total{broker="b1"} 2"#
            ])
        #expect(
            series(metrics, "sys_ingester_last_message_timestamp_seconds") == [
                #"sys_ingester_last_message_timestamp_seconds{broker="b1"} 1700000001.5"#
            ])
        #expect(series(metrics, "sys_ingester_pg_up") == ["sys_ingester_pg_up 1.0"])
        #expect(
            series(metrics, "sys_ingester_rows_written_total") == [
                #"sys_ingester_rows_written_total{table="broker_metrics"} 42"#,
                #"sys_ingester_rows_written_total{table="events"} 3"#,
            ])
        let duration = series(metrics, "sys_ingester_write_duration_seconds")
        #expect(duration.contains(#"sys_ingester_write_duration_seconds_bucket{le="0.001"} 0"#))
        #expect(duration.contains(#"sys_ingester_write_duration_seconds_bucket{le="0.005"} 1"#))
        #expect(duration.contains(#"sys_ingester_write_duration_seconds_bucket{le="2.5"} 2"#))
        #expect(duration.contains(#"sys_ingester_write_duration_seconds_bucket{le="+Inf"} 2"#))
        #expect(duration.contains("sys_ingester_write_duration_seconds_sum 2.003"))
        #expect(duration.contains("sys_ingester_write_duration_seconds_count 2"))
        #expect(series(metrics, "sys_ingester_queue_depth") == ["sys_ingester_queue_depth 17.0"])
        #expect(series(metrics, "sys_ingester_lost_total") == ["sys_ingester_lost_total 5"])
    }

    @Test("$SYS values: gauges set, counters follow the broker's total, restarts reset them")
    func sysValues() {
        let metrics = IngesterMetrics(brokers: ["b1"])
        metrics.brokerUp("b1", true)
        #expect(metrics.sysMetric(broker: "b1", topic: "$SYS/broker/clients/connected", value: 3))
        #expect(metrics.sysMetric(broker: "b1", topic: "clients/connected", value: 2))
        #expect(metrics.sysMetric(broker: "b1", topic: "$SYS/broker/bytes/received", value: 1000))
        #expect(metrics.sysMetric(broker: "b1", topic: "$SYS/broker/bytes/received", value: 1500))
        #expect(series(metrics, "mosquitto_clients_connected") == [#"mosquitto_clients_connected{broker="b1"} 2.0"#])
        #expect(
            series(metrics, "mosquitto_bytes_received_total") == [
                #"mosquitto_bytes_received_total{broker="b1"} 1500.0"#
            ])
        #expect(typeLine(metrics, "mosquitto_bytes_received_total") == "# TYPE mosquitto_bytes_received_total counter")
        #expect(typeLine(metrics, "mosquitto_clients_connected") == "# TYPE mosquitto_clients_connected gauge")
        // The broker restarted: its total starts again.
        #expect(metrics.sysMetric(broker: "b1", topic: "bytes/received", value: 20))
        #expect(
            series(metrics, "mosquitto_bytes_received_total") == [
                #"mosquitto_bytes_received_total{broker="b1"} 20.0"#
            ])
        // Large integer totals stay exact.
        #expect(metrics.sysMetric(broker: "b1", topic: "bytes/received", value: 9_007_199_254_740_000))
        #expect(
            series(metrics, "mosquitto_bytes_received_total") == [
                #"mosquitto_bytes_received_total{broker="b1"} 9007199254740000.0"#
            ])
    }

    @Test("values that are not exported")
    func rejected() {
        let metrics = IngesterMetrics(brokers: ["b1"])
        #expect(!metrics.sysMetric(broker: "b1", topic: "clients/connected", value: 1), "broker not up yet")
        metrics.brokerUp("b1", true)
        #expect(!metrics.sysMetric(broker: "b1", topic: "$SYS/broker/log/N", value: 1))
        #expect(!metrics.sysMetric(broker: "b1", topic: "clients/connected", value: .infinity))
        #expect(!metrics.sysMetric(broker: "b1", topic: "clients/connected", value: .nan))
        #expect(!metrics.sysMetric(broker: "b1", topic: "bytes/sent", value: -1))
        #expect(metrics.sysMetric(broker: "b1", topic: "clients/disconnected", value: -1), "a gauge may be negative")
        // Two paths that sanitise to one name: the first keeps it.
        #expect(metrics.sysMetric(broker: "b1", topic: "a-b", value: 1))
        #expect(!metrics.sysMetric(broker: "b1", topic: "a b", value: 2))
        #expect(series(metrics, "mosquitto_a_b") == [#"mosquitto_a_b{broker="b1"} 1.0"#])
        // A deprecated alias is the same series, not a rival.
        #expect(metrics.sysMetric(broker: "b1", topic: "clients/connected", value: 4))
        #expect(metrics.sysMetric(broker: "b1", topic: "clients/active", value: 4))
        #expect(series(metrics, "mosquitto_clients_connected") == [#"mosquitto_clients_connected{broker="b1"} 4.0"#])
        // A counter and a gauge cannot share a name either.
        #expect(metrics.sysMetric(broker: "b1", topic: "bytes/sent/total", value: 1))
        #expect(!metrics.sysMetric(broker: "b1", topic: "bytes/sent", value: 1))
    }

    @Test("a broker going down loses its $SYS series, the others keep theirs")
    func down() {
        let metrics = IngesterMetrics(brokers: ["b1", "b2"])
        for broker in ["b1", "b2"] {
            metrics.brokerUp(broker, true)
            metrics.sysMetric(broker: broker, topic: "clients/connected", value: 1)
            metrics.sysMetric(broker: broker, topic: "messages/sent", value: 10)
        }
        metrics.sysMetric(broker: "b1", topic: "conn-plugin/events/seen", value: 5)
        metrics.brokerUp("b1", false)
        #expect(series(metrics, "mosquitto_").allSatisfy { $0.contains(#"broker="b2""#) })
        #expect(series(metrics, "mosquitto_").count == 2)
        #expect(typeLine(metrics, "mosquitto_conn_plugin_events_seen_total") == nil, "its family is gone")
        #expect(
            series(metrics, "sys_ingester_broker_up") == [
                #"sys_ingester_broker_up{broker="b1"} 0.0"#, #"sys_ingester_broker_up{broker="b2"} 1.0"#,
            ])
        // A late message does not bring a series back while down.
        #expect(!metrics.sysMetric(broker: "b1", topic: "clients/connected", value: 1))
        // Up again: the series start from the broker's values.
        metrics.brokerUp("b1", true)
        metrics.sysMetric(broker: "b1", topic: "messages/sent", value: 12)
        #expect(
            series(metrics, "mosquitto_messages_sent_total") == [
                #"mosquitto_messages_sent_total{broker="b1"} 12.0"#,
                #"mosquitto_messages_sent_total{broker="b2"} 10.0"#,
            ])
        metrics.dropSysMetrics(broker: "b2")
        #expect(series(metrics, "mosquitto_") == [#"mosquitto_messages_sent_total{broker="b1"} 12.0"#])
    }

    @Test("readiness: PostgreSQL and every broker, with the reasons")
    func readiness() {
        let metrics = IngesterMetrics(brokers: ["b2", "b1"])
        #expect(
            metrics.readiness()
                == (false, "PostgreSQL is not connected; broker 'b1' is not connected; broker 'b2' is not connected"))
        metrics.pgUp(true)
        metrics.brokerUp("b1", true)
        #expect(metrics.readiness() == (false, "broker 'b2' is not connected"))
        metrics.brokerUp("b2", true)
        #expect(metrics.readiness() == (true, "ready"))
        metrics.brokerUp("b3", false)
        #expect(metrics.readiness() == (false, "broker 'b3' is not connected"))
    }

    @Test("families are sorted by name, each with one TYPE line")
    func ordering() {
        let metrics = IngesterMetrics(brokers: ["b1"])
        metrics.brokerUp("b1", true)
        metrics.sysMetric(broker: "b1", topic: "uptime", value: 5)
        let types = metrics.render().split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        let names = types.map { $0.split(separator: " ")[2] }
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        #expect(metrics.render().hasSuffix("\n"))
    }

    @Test("label values are escaped")
    func escaping() {
        let metrics = IngesterMetrics(brokers: [#"a"b\c"#])
        #expect(series(metrics, "sys_ingester_broker_up") == [#"sys_ingester_broker_up{broker="a\"b\\c"} 0.0"#])
    }
}

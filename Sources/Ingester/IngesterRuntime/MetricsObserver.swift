import Foundation
import IngestCore
import IngesterMetrics

/// Feeds what the ingester does into its Prometheus series (`IngesterMetrics`, served on
/// `--metrics-listen`): per broker its connection, reconnects, messages and every numeric `$SYS`
/// value; for the one writer PostgreSQL's state, rows, write durations, queue depth and losses.
package struct MetricsObserver: IngestObserver {
    let metrics: IngesterMetrics

    package init(metrics: IngesterMetrics) {
        self.metrics = metrics
    }

    package func brokerConnection(_ broker: String, isUp: Bool) { metrics.brokerUp(broker, isUp) }

    package func brokerReconnected(_ broker: String) { metrics.brokerReconnected(broker) }

    package func messageReceived(_ broker: String, topic: String, payload: String, atMicros: Int64) {
        metrics.messageReceived(broker: broker, atMicros: atMicros)
        // Log lines and text values ($SYS/broker/version) are not numbers and have no series.
        if let value = MetricSample.number(payload) { metrics.sysMetric(broker: broker, topic: topic, value: value) }
    }

    package func databaseConnection(isUp: Bool) { metrics.pgUp(isUp) }

    package func rowsWritten(_ broker: String, rows: [IngestTable: Int]) {
        for (table, count) in rows { metrics.rowsWritten(table: table.rawValue, count: count) }
    }

    package func writeFinished(after duration: Duration, committed: Bool) {
        metrics.writeDuration(seconds: duration / .seconds(1))
        if committed { metrics.pgUp(true) }
    }

    package func queueDepth(_ depth: Int) { metrics.queueDepth(depth) }

    package func messagesLost(_ count: Int) { metrics.lost(count) }
}

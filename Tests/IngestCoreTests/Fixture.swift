import Foundation

@testable import IngestCore

/// Captured `$SYS` traffic under Fixtures/, one `TOPIC PAYLOAD` per line (mosquitto_sub -v).
/// Found through #filePath: the package has no test resources.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The (topic, payload) pairs of a capture file.
    static func messages(_ name: String) throws -> [(topic: String, payload: String)] {
        try text(name).split(separator: "\n", omittingEmptySubsequences: true).compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            // mosquitto_sub -v separates topic and payload by a space, and one $SYS topic has a
            // space of its own.
            let spacedTopic = "$SYS/broker/retained messages/count "
            if line.hasPrefix(spacedTopic) {
                return (String(spacedTopic.dropLast()), String(line.dropFirst(spacedTopic.count)))
            }
            guard let space = line.firstIndex(of: " ") else { return nil }
            return (String(line[..<space]), String(line[line.index(after: space)...]))
        }
    }

    /// The captured messages as planner inputs, preceded by a connection marker.
    static func inputs(_ name: String, receivedAtMicros: Int64 = 1_800_000_000_000_000) throws -> [IngestInput] {
        [.brokerConnected(atMicros: receivedAtMicros)]
            + (try messages(name)).map { .message(topic: $0.topic, payload: $0.payload, receivedAtMicros: receivedAtMicros) }
    }
}

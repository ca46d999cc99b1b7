@testable import ConnRecorder
import Foundation
import Logging
import Testing

/// `ConnWriter.start()`'s typed error: the case says which fault it is, the text what to do.
@Suite struct ConnWriterStartTests {
    @Test func aSecondStartIsRefusedAsAlreadyStarted() throws {
        let spoolDirectory = NSTemporaryDirectory() + "writer-start-tests-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: spoolDirectory) }
        let options = ConnPluginOptions(dsn: "host=fake", brokerID: "unit", spoolDirectory: spoolDirectory)
        let spool = try EventSpool(directory: spoolDirectory, maxBytes: options.spoolMaxBytes)
        let writer = ConnWriter(
            options: options, spool: spool, logger: Logger(label: "writer-start-tests"),
            store: FakeEventStore(timeout: .milliseconds(200)))
        try writer.start()
        defer { writer.stop(flushTimeout: .seconds(1)) }

        do {
            try writer.start()
            Issue.record("a second start() did not throw")
        } catch {
            guard case .alreadyStarted = error else {
                Issue.record("a second start() threw \(error), not .alreadyStarted")
                return
            }
            #expect("\(error)".contains("already started"), "\(error)")
        }
    }
}

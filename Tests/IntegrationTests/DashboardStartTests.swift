import Foundation
import Testing

/// The program's start with a dashboard whose address cannot be bound: a critical line naming the
/// address and status 1, before any broker is connected to.
@Suite("DashboardStart", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct DashboardStartTests {
    @Test("a taken ui_listen port ends sys-ingester with status 1 and the address, and no broker is connected to")
    func takenPort() throws {
        let fakeBroker = try SilentTCPServer()
        let occupant = try LocalPorts.listeningSocket(backlog: 1)
        defer { close(occupant.fd) }
        let ingester = try SysIngesterProcess.launch(
            config: "ui_listen: 127.0.0.1:\(occupant.port)\nbrokers:\n  - {name: a, host: 127.0.0.1, port: \(fakeBroker.port)}\n",
            arguments: ["--log-level", "debug"],
            environment: ["PG_DSN": "host=/nonexistent dbname=x"])
        #expect(ingester.waitForExit(timeout: 30) == 1, "\(ingester.output)")
        let critical = ingester.lines(containing: "Cannot serve the dashboard.", "127.0.0.1:\(occupant.port)")
        #expect(critical.count == 1, "\(ingester.output)")
        #expect(critical.first?.contains("in use") == true, "\(ingester.output)")
        #expect(!ingester.output.contains("Serving the dashboard."), "\(ingester.output)")
        #expect(!ingester.output.contains("Connecting"), "\(ingester.output)")
        Thread.sleep(forTimeInterval: 0.2)  // the fake broker's accept thread polls every 100 ms
        #expect(fakeBroker.acceptedCount == 0, "nothing connected to the broker")
    }
}

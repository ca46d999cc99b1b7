import Foundation
import IngesterConfig
import Testing

/// `ui_listen`, `ui_token_file`, `ui_dsn` (and the command line's `--ui-*`, which go through the
/// same `SettingsValidator.dashboard`).
@Suite("DashboardSettings")
struct DashboardSettingsTests {
    private let environment = ["PG_DSN": "host=127.0.0.1 dbname=mqtt"]

    private func load(_ yaml: String) throws(ConfigError) -> IngesterSettings {
        try ConfigFile.parse(yaml: yaml).settings(validator: SettingsValidator(environment: environment))
    }

    private func refusal(_ yaml: String) -> ConfigError? {
        do {
            _ = try load(yaml)
            return nil
        } catch {
            return error
        }
    }

    private func scratchFile(_ contents: String) throws -> String {
        let path = NSTemporaryDirectory() + "ui-token-test-\(UUID().uuidString)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("ui_listen alone serves the dashboard without any broker; absent, a file still needs a broker")
    func dashboardAlone() throws {
        let settings = try load("ui_listen: 127.0.0.1:9235\n")
        #expect(settings.brokers.isEmpty)
        #expect(settings.ui == DashboardSettings(listen: ListenAddress(host: "127.0.0.1", port: 9235)))
        #expect(refusal("log_level: info\n")?.description.contains("ui_listen") == true)
    }

    @Test("the token file's one line is the token; its trailing newline is not part of it; it is never described")
    func tokenFile() throws {
        let path = try scratchFile("s3cret-token\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try load("ui_listen: '[::1]:9235'\nui_token_file: \(path)\nui_dsn: host=standby dbname=mqtt\n")
        #expect(settings.ui?.token == "s3cret-token")
        #expect(settings.ui?.dsn == "host=standby dbname=mqtt")
        #expect(settings.ui?.listen == ListenAddress(host: "::1", port: 9235))
        #expect(!"\(settings.ui!)".contains("s3cret"))
    }

    @Test("refusals name the field: a bad address, a missing or empty token file, a token with spaces, a bad DSN, options without ui_listen")
    func refusals() throws {
        #expect(refusal("ui_listen: localhost\n")?.description.contains("ui_listen 'localhost': no port") == true)
        #expect(refusal("ui_listen: 127.0.0.1:0\n")?.description.contains("ui_listen") == true)
        #expect(
            refusal("ui_listen: 127.0.0.1:9235\nui_token_file: /nonexistent/token\n")?.description
                .contains("ui_token_file /nonexistent/token: no readable file there") == true)
        let empty = try scratchFile("\n")
        let spaced = try scratchFile("two words\n")
        defer {
            try? FileManager.default.removeItem(atPath: empty)
            try? FileManager.default.removeItem(atPath: spaced)
        }
        #expect(refusal("ui_listen: 127.0.0.1:9235\nui_token_file: \(empty)\n")?.description.contains("empty") == true)
        let spacedRefusal = refusal("ui_listen: 127.0.0.1:9235\nui_token_file: \(spaced)\n")?.description ?? ""
        #expect(spacedRefusal.contains("one line without spaces") && !spacedRefusal.contains("two words"))
        #expect(
            refusal("ui_listen: 127.0.0.1:9235\nui_dsn: 'host=x bogus_key=1'\n")?.description
                .contains("ui_dsn is not a valid connection string") == true)
        #expect(refusal("ui_token_file: /etc/hostname\nbrokers: [{name: a, host: h}]\n")?.description.contains("needs ui_listen") == true)
        #expect(refusal("ui_dsn: host=x\nbrokers: [{name: a, host: h}]\n")?.description.contains("needs ui_listen") == true)
    }

    @Test("ui_* are known fields of the file (a typo is refused with the list)")
    func knownFields() {
        let typo = refusal("ui_listn: 127.0.0.1:9235\n")?.description ?? ""
        #expect(typo.contains("unknown field 'ui_listn'") && typo.contains("ui_listen"))
    }
}

import Testing

@testable import IngesterConfig

@Suite("ListenAddress")
struct ListenAddressTests {
    @Test(
        "HOST:PORT values",
        arguments: [
            ("127.0.0.1:9234", "127.0.0.1", 9234), ("0.0.0.0:9234", "0.0.0.0", 9234),
            ("localhost:1", "localhost", 1), ("[::1]:9234", "::1", 9234), ("[::]:65535", "::", 65535),
            ("metrics.example.org:9234", "metrics.example.org", 9234),
        ])
    func valid(text: String, host: String, port: Int) throws {
        let address = try ListenAddress.parse(text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test(
        "bad values name the option and the problem",
        arguments: [
            ("9234", "no port"), ("127.0.0.1", "no port"), (":9234", "no host"), ("127.0.0.1:", "not a number"),
            ("127.0.0.1:http", "not a number"), ("127.0.0.1:0", "between 1 and 65535"),
            ("127.0.0.1:65536", "between 1 and 65535"), ("127.0.0.1:000009234", "between 1 and 65535"),
            ("127.0.0.1:-1", "not a number"), ("::1:9234", "needs brackets"), ("[::1]9234", "no ':PORT'"),
            ("[::1:9234", "no ']'"), ("[127.0.0.1]:9234", "only for IPv6"), ("[]:9234", "only for IPv6"),
            ("local host:9234", "a space"), ("", "no port"),
        ])
    func invalid(text: String, problem: String) {
        #expect {
            try ListenAddress.parse(text)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("--metrics-listen '\(text)': ") && message.contains(problem)
                && message.contains("HOST:PORT")
        }
    }

    @Test("the option's name is the caller's")
    func optionName() {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress.parse("x", option: "--listen") }
        do {
            _ = try ListenAddress.parse("x", option: "--listen")
        } catch {
            #expect(error.description.hasPrefix("--listen 'x': "))
        }
    }
}

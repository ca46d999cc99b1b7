/// Where the metrics server listens: a host (name, IPv4 or IPv6 address) and a TCP port.
package struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    /// The host without brackets (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`).
    package let host: String
    /// The port; 0 asks the system for a free one (tests; `parse` does not accept it).
    package let port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `parse(text)`, or nil when the text is not a usable `HOST:PORT`.
    package init?(_ text: String) {
        guard let address = try? Self.parse(text) else { return nil }
        self = address
    }

    /// `host:port`, with an IPv6 address in brackets (`[::1]:9234`).
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// A `HOST:PORT` value that cannot be used, with the text to show.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// Parses `HOST:PORT`: `127.0.0.1:9234`, `0.0.0.0:9234`, `localhost:9234`, `[::1]:9234`, `[::]:9234`.
    ///
    /// - Parameters:
    ///   - text: the value given on the command line.
    ///   - option: the option's name, for the error message.
    /// - Throws: `ParseError` naming the option and what is wrong (missing port, port outside
    ///   1-65535, an IPv6 address without brackets, an empty host or spaces).
    package static func parse(_ text: String, option: String = "--metrics-listen") throws(ParseError) -> ListenAddress {
        func failure(_ problem: String) -> ParseError {
            ParseError(
                description:
                    "\(option) '\(text)': \(problem); expected HOST:PORT, e.g. 127.0.0.1:9234 or [::1]:9234.")
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw failure("no ']' after the IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw failure("no ':PORT' after ']'") }
            portText = rest.dropFirst()
            guard host.contains(":") else { throw failure("brackets are only for IPv6 addresses") }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw failure("no port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw failure("an IPv6 address needs brackets") }
        }
        guard !host.isEmpty else { throw failure("no host (0.0.0.0 listens on every IPv4 address)") }
        guard !host.contains(where: { $0.isWhitespace || $0 == "[" || $0 == "]" || $0 == "/" }) else {
            throw failure("the host contains a space, a bracket or a slash")
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw failure("the port is not a number")
        }
        guard portText.count <= 5, let port = Int(portText), (1...65535).contains(port) else {
            throw failure("the port must be between 1 and 65535")
        }
        return ListenAddress(host: String(host), port: port)
    }
}

import Foundation

/// One headless Debian chromium, driven through selenium by Browser/browser_agent.py: the
/// dashboard tests ask it what a person would do (load a page) and see (an element's text),
/// one JSON line each way. `quit()` (or deinit) ends the browser.
final class BrowserSession {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()
    let profileDirectory: String

    /// Starts chromium; fails with the agent's output when selenium, chromedriver or chromium is
    /// missing (`make deps` installs them).
    init() throws {
        let agent = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Browser/browser_agent.py").path
        profileDirectory = try TestEnvironment.makeScratchDirectory(label: "chromium-profile")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [agent, profileDirectory]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let ready = try readAnswer(timeout: 90)
        guard ready["ready"] as? Bool == true else { throw Failure(description: "the browser did not start: \(ready)") }
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: profileDirectory)
    }

    func quit() {
        _ = try? send(["op": "quit"], timeout: 30)
        process.waitUntilExit()
    }

    /// Loads `url` and waits for the page's load event.
    func get(_ url: String) throws {
        try send(["op": "get", "url": url], timeout: 60)
    }

    /// Waits (without reloading: live updates must bring it) until an element matching `css` shows
    /// `text` (contains it; equals it with `exact`). Returns the seconds it took, as the browser measured them.
    @discardableResult
    func waitForText(_ css: String, _ text: String, exact: Bool = false, timeout: Double = 30) throws -> Double {
        let answer = try send(
            ["op": "wait_text", "css": css, "text": text, "timeout": timeout, "exact": exact], timeout: timeout + 30)
        return answer["seconds"] as? Double ?? -1
    }

    /// The visible texts of the elements matching `css`.
    func texts(_ css: String) throws -> [String] {
        try send(["op": "text", "css": css], timeout: 30)["texts"] as? [String] ?? []
    }

    func count(_ css: String) throws -> Int {
        try send(["op": "count", "css": css], timeout: 30)["count"] as? Int ?? -1
    }

    /// Runs `js` in the page (`return ...` gives a value).
    func script(_ js: String) throws -> Any? {
        try send(["op": "script", "js": js], timeout: 30)["value"]
    }

    func screenshot(_ path: String) throws {
        try send(["op": "screenshot", "path": path], timeout: 30)
    }

    @discardableResult
    private func send(_ command: [String: Any], timeout: Double) throws -> [String: Any] {
        var line = try JSONSerialization.data(withJSONObject: command)
        line.append(UInt8(ascii: "\n"))
        input.fileHandleForWriting.write(line)
        let answer = try readAnswer(timeout: timeout)
        guard answer["ok"] as? Bool == true else {
            throw Failure(
                description: "browser: \(answer["error"] ?? "failed") — the page shows: \(answer["page"] ?? "")")
        }
        return answer
    }

    /// One JSON line from the agent, waiting at most `timeout` seconds.
    private func readAnswer(timeout: Double) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[buffer.index(after: newline)...])
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw Failure(description: "browser agent said: \(String(decoding: line, as: UTF8.self))")
                }
                return object
            }
            guard Date() < deadline else { throw Failure(description: "the browser agent did not answer in \(timeout) s") }
            guard process.isRunning || output.fileHandleForReading.availableDataIfAny != nil else {
                throw Failure(description: "the browser agent exited (status \(process.terminationStatus))")
            }
            if let data = output.fileHandleForReading.availableDataIfAny, !data.isEmpty {
                buffer.append(data)
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }
}

extension FileHandle {
    /// What can be read now without blocking (nil: nothing, or end of file).
    fileprivate var availableDataIfAny: Data? {
        var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return nil }
        let data = availableData
        return data.isEmpty ? nil : data
    }
}

/// A small HTTP client for the API tests: curl (a Debian package `make deps` installs).
enum HTTP {
    struct Answer {
        let status: Int
        let body: String
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    static func get(_ url: String, headers: [String] = []) throws -> Answer {
        try request(url, arguments: headers.flatMap { ["-H", $0] })
    }

    static func request(_ url: String, arguments: [String]) throws -> Answer {
        let result = try ProcessRunner.run(
            "curl", ["-sS", "--max-time", "20", "-w", "\n%{http_code}"] + arguments + [url], timeout: 30)
        guard result.succeeded else { throw BrowserSession.Failure(description: "curl \(url): \(result.output)") }
        var lines = result.output.components(separatedBy: "\n")
        let status = Int(lines.removeLast()) ?? -1
        return Answer(status: status, body: lines.joined(separator: "\n"))
    }
}

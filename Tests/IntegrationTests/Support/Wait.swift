import Foundation

/// A condition that did not become true in time.
struct WaitTimeout: Error, CustomStringConvertible {
    let what: String
    let seconds: Double
    let lastError: (any Error)?
    var description: String {
        var text = "timed out after \(seconds) s waiting for \(what)"
        if let lastError { text += " (last error: \(lastError))" }
        return text
    }
}

/// Polls `condition` until it returns true, for at most `timeout` seconds.
///
/// Errors thrown by `condition` count as "not yet" (a service may still be starting); the last one
/// is reported if time runs out. Use generous timeouts: the machine is shared and noisy.
/// - Throws: `WaitTimeout` naming `what`.
func waitUntil(
    timeout: Double = 15, interval: Double = 0.05, _ what: String = "condition", _ condition: () throws -> Bool
) throws {
    _ = try waitForValue(timeout: timeout, interval: interval, what) { try condition() ? true : nil }
}

/// Polls `body` until it returns a value, for at most `timeout` seconds.
/// - Throws: `WaitTimeout` naming `what`.
func waitForValue<Value>(
    timeout: Double = 15, interval: Double = 0.05, _ what: String = "value", _ body: () throws -> Value?
) throws -> Value {
    let deadline = Date().addingTimeInterval(timeout)
    var lastError: (any Error)?
    while true {
        do {
            if let value = try body() { return value }
            lastError = nil
        } catch {
            lastError = error
        }
        if Date() >= deadline { throw WaitTimeout(what: what, seconds: timeout, lastError: lastError) }
        Thread.sleep(forTimeInterval: interval)
    }
}

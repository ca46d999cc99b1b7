import Logging

/// Logs a connection's state only when it changes, so a dependency that stays down produces one
/// line, not one per retry.
struct StateLog {
    private var current: String?
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Logs `message` at `level` if `state` differs from the last state logged.
    /// - Returns: true when it logged (the state changed).
    @discardableResult
    mutating func enter(
        _ state: String, _ level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        metadata: Logger.Metadata = [:]
    ) -> Bool {
        guard state != current else { return false }
        current = state
        logger.log(level: level, message(), metadata: metadata)
        return true
    }

    var state: String? { current }
}

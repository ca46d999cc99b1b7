import Locking
import Logging
import Storage

/// The dashboard's own PostgreSQL connections: read-only sessions on threads of their own.
///
/// Hummingbird answers on swift-nio event loops, which must never block; libpq's calls block. So
/// each query is handed to one of `workers` threads, each owning one connection (opened on first
/// use, opened again after a failure), and the request awaits the result. The connections are
/// never the writer's: a slow page cannot hold a write, and with `--ui-dsn` they may even be on
/// another server (a hot standby).
///
/// Every session is `default_transaction_read_only = on` with a `statement_timeout`, so nothing
/// the dashboard runs can write, and no query runs longer than `statementTimeout`
/// (`DashboardQuery.ConfigureSession`).
package final class ReadOnlyDatabase: Sendable {
    /// Why a read did not happen (the page or API answers 503 with the text).
    package enum ReadError: Error, CustomStringConvertible {
        /// More requests are waiting than `maximumWaiting`.
        case busy
        case stopped
        case database(PostgresError)

        package var description: String {
            switch self {
            case .busy: "the dashboard's database connections are all busy; try again"
            case .stopped: "the dashboard is stopping"
            case .database(let error): "PostgreSQL: \(error.message)"
            }
        }
    }

    private struct Job {
        let work: @Sendable (PostgresConnection?, PostgresError?) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var stopping = false
    }

    private let dsn: String
    private let state = ConditionLocked(State())
    private let logger: Logger
    package let statementTimeout: Duration
    private let connectTimeout: Duration = .seconds(5)
    private static let maximumWaiting = 256

    /// - Parameters:
    ///   - dsn: where to read (`ui_dsn`, else the ingester's database); logged only redacted.
    ///   - workers: threads, hence connections, at most.
    ///   - statementTimeout: the session's `statement_timeout`, and the client-side wait for a result.
    package init(dsn: String, workers: Int = 2, statementTimeout: Duration = .seconds(5), logger: Logger) throws {
        self.dsn = dsn
        self.logger = logger
        self.statementTimeout = statementTimeout
        for _ in 0..<max(1, workers) {
            try PosixThread.start { [self] in self.serve() }.detach()
        }
    }

    /// Ends the worker threads once the queued reads are done; later reads fail with `.stopped`.
    package func stop() {
        state.withLock { $0.stopping = true }
        state.broadcast()
    }

    /// Runs `body` on a worker's connection and returns its result.
    package func read<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> Result
    ) async throws(ReadError) -> Result {
        let outcome: Swift.Result<Result, ReadError> = await withCheckedContinuation { continuation in
            let job = Job { connection, connectError in
                guard let connection else {
                    continuation.resume(returning: .failure(connectError.map { .database($0) } ?? .stopped))
                    return
                }
                do throws(PostgresError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(.database(error)))
                }
            }
            let refusal: ReadError? = state.withLock { state in
                if state.stopping { return .stopped }
                if state.jobs.count >= Self.maximumWaiting { return .busy }
                state.jobs.append(job)
                return nil
            }
            if let refusal { continuation.resume(returning: .failure(refusal)) } else { state.broadcast() }
        }
        return try outcome.get()
    }

    // MARK: - Worker threads

    private func serve() {
        var connection: PostgresConnection?
        var reportedFailure = false
        while true {
            let job: Job? = state.withLock(when: { $0.stopping || !$0.jobs.isEmpty }) { state, _ in
                state.jobs.isEmpty ? nil : state.jobs.removeFirst()
            }
            guard let job else {
                connection?.close()
                return
            }
            if connection?.isOpen != true {
                do {
                    connection = try open()
                    if reportedFailure { logger.info("The dashboard's database connection is back.") }
                    reportedFailure = false
                } catch {
                    connection = nil
                    // Once per outage: a page polled every second must not flood the log.
                    if !reportedFailure {
                        logger.warning(
                            "The dashboard cannot reach PostgreSQL; its pages answer 503 until it can.",
                            metadata: ["pg.error": "\(error.message)", "pg.target": "\(ConnectionString.redacted(dsn))"])
                    }
                    reportedFailure = true
                    job.work(nil, error)
                    continue
                }
            }
            job.work(connection, nil)
        }
    }

    private func open() throws(PostgresError) -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: dsn, timeout: connectTimeout)
        // Read-only at the session level: any statement that would write fails (SQLSTATE 25006),
        // whatever a query says (sql/configure_session.sql).
        try connection.execute(
            DashboardQuery.ConfigureSession(statementTimeout: statementTimeout), timeout: connectTimeout)
        return connection
    }
}

import Locking
import Testing

/// Runs each test of a suite off Swift concurrency's cooperative pool.
///
/// Most integration tests are synchronous and block for seconds (polling PostgreSQL, waiting on a
/// broker or a child process). Swift Testing calls a test's body on the pool, which has one thread
/// per CPU (two on a small CI machine), and every async test of the process, and the code it
/// drives, needs those threads too: with two blocking tests running, an async test waited minutes
/// for its next step (IngesterServicesTests took 228 s in `make test`, under a second alone).
///
/// Under this trait a test's task, and its child tasks, prefer `ThreadPerJobExecutor`: each of
/// their jobs runs on a thread of its own, so a body that blocks holds its own thread and never
/// one of the pool's. Every suite of IntegrationTests carries it (`RepositoryRules` checks):
///
///     @Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct OffCooperativePool: SuiteTrait, TestTrait, TestScoping {
    /// Applies to every test of the suite, each test case in a scope of its own.
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OffCooperativePool {
    /// Runs the suite's tests off Swift concurrency's cooperative pool (`OffCooperativePool`).
    static var offCooperativePool: Self { Self() }
}

/// A task executor that runs each job on a new `PosixThread`, which ends when the job returns (at
/// the task's next suspension or its end). A task still runs one job at a time, so nothing runs
/// concurrently that would not on the pool; only the number of threads has no limit, which is what
/// code that blocks needs. Threads are cheap next to what an integration test does between two
/// suspensions.
final class ThreadPerJobExecutor: TaskExecutor {
    static let shared = ThreadPerJobExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        do {
            try PosixThread.start { job.runSynchronously(on: executor) }.detach()
        } catch {
            // The system refused a thread: the pool runs the job, late rather than never.
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }
}

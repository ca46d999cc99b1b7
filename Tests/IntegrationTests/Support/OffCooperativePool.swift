#if canImport(Glibc)
import Glibc
#endif
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
/// one of the pool's. Swift Testing starts every test of the run at once; the pool's two threads
/// used to be what bounded how many integration tests ran together (each starts brokers, a
/// database, clients), so `IntegrationSlots` keeps that bound, as a wait that holds no thread.
/// Every suite of IntegrationTests carries the trait (`RepositoryRules` checks):
///
///     @Suite(.enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct OffCooperativePool: SuiteTrait, TestTrait, TestScoping {
    /// Applies to every test of the suite, each test case in a scope of its own.
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        await IntegrationSlots.shared.acquire()
        defer { IntegrationSlots.shared.release() }
        try await withTaskExecutorPreference(ThreadPerJobExecutor.shared) { try await function() }
    }
}

/// How many integration tests run at a time: `TEST_INTEGRATION_WIDTH`, else 2 (what the
/// cooperative pool allowed on the 2-CPU machines the suite's waits were tuned on). A test waits
/// for a slot before it starts, so its own time limits start with it.
final class IntegrationSlots: Sendable {
    static let shared = IntegrationSlots(
        width: getenv("TEST_INTEGRATION_WIDTH").flatMap { Int(String(cString: $0)) }.map { max(1, $0) } ?? 2)

    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state: ConditionLocked<State>

    init(width: Int) { state = ConditionLocked(State(free: width)) }

    func acquire() async {
        await withCheckedContinuation { (slot: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.free > 0 else {
                    state.waiting.append(slot)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { slot.resume() }
        }
    }

    /// Hands the slot to the longest-waiting test, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}

extension Trait where Self == OffCooperativePool {
    /// Runs the suite's tests off Swift concurrency's cooperative pool (`OffCooperativePool`).
    static var offCooperativePool: Self { Self() }
}

/// A task executor that runs each job on a new `PosixThread`, which ends when the job returns (at
/// the task's next suspension or its end). A task still runs one job at a time; only the number
/// of threads has no limit, which is what code that blocks needs. Threads are cheap next to what an integration test does between two
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

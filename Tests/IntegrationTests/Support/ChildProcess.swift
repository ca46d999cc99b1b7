import Foundation

/// A child process started with `posix_spawn`, with stdout and stderr appended to a file.
///
/// Why not Foundation's `Process`: on Linux it spawns from a thread that blocks most signals and
/// the child inherits that mask, so a broker or daemon started that way ignores SIGTERM (checked:
/// `SigBlk` in /proc/<pid>/status). Here every signal is unblocked and reset to its default.
final class ChildProcess {
    /// The child could not be spawned.
    struct SpawnFailure: Error, CustomStringConvertible {
        let executable: String
        let code: Int32
        var description: String { "cannot run \(executable): \(String(cString: strerror(code)))" }
    }

    let executable: String
    let processIdentifier: pid_t
    private var waitStatus: Int32?

    /// Spawns `executable` with `arguments`, the test process's environment plus `environment`,
    /// stdin from /dev/null and stdout+stderr appended to `outputPath`.
    /// - Throws: `SpawnFailure` with the errno text.
    init(
        executable: String, arguments: [String], environment: [String: String] = [:], outputPath: String
    ) throws {
        self.executable = executable
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &fileActions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnFailure(executable: executable, code: result) }
        processIdentifier = pid
    }

    deinit {
        if isRunning {
            kill(processIdentifier, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
    }

    /// True until the child has exited (and been reaped here).
    var isRunning: Bool {
        reap(blocking: false)
        return waitStatus == nil
    }

    /// The exit status (0–255), or 128 + signal number for a child killed by a signal, as a shell
    /// reports it; nil while running.
    var exitCode: Int32? {
        reap(blocking: false)
        guard let status = waitStatus else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Sends `signal` if the child still runs.
    func signal(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Waits up to `timeout` seconds for the child to exit.
    /// - Returns: its exit code, or nil when it is still running.
    @discardableResult
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() >= deadline { return nil }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return exitCode
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; waits for the exit.
    /// - Returns: the exit code.
    @discardableResult
    func terminate(grace: Double = 10) -> Int32? {
        signal(SIGTERM)
        if let code = waitForExit(timeout: grace) { return code }
        return kill9()
    }

    /// SIGKILL; waits for the exit.
    @discardableResult
    func kill9() -> Int32? {
        signal(SIGKILL)
        return waitForExit(timeout: 30)
    }

    private func reap(blocking: Bool) {
        guard waitStatus == nil else { return }
        var status: Int32 = 0
        let result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
        if result == processIdentifier {
            waitStatus = status
        } else if result < 0 && errno == ECHILD {
            // Reaped elsewhere (nothing in this harness does that); report it as gone.
            waitStatus = 0xFF00
        }
    }
}

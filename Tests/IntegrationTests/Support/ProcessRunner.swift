import Foundation

/// Runs short commands (psql, mosquitto_pub, the built executables) and captures their output.
enum ProcessRunner {
    /// How a command ended.
    struct Result: Sendable {
        let exitCode: Int32
        /// stdout and stderr, interleaved as written.
        let output: String
        var succeeded: Bool { exitCode == 0 }
    }

    /// The command could not run or did not finish in time.
    struct Failure: Error, CustomStringConvertible {
        let message: String
        let output: String
        var description: String { output.isEmpty ? message : "\(message)\n--- output ---\n\(output)" }
    }

    /// Runs `executable` (an absolute path or a name looked up in PATH) and waits for it.
    ///
    /// - Parameters:
    ///   - environment: variables added to the test process's environment.
    ///   - timeout: seconds before the command is killed and `Failure` thrown.
    /// - Throws: `Failure` when the command cannot start or times out (a non-zero exit is returned).
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String] = [:], timeout: Double = 30
    ) throws -> Result {
        let path = try resolve(executable)
        // A file, not a pipe: a chatty command cannot block on a full pipe while we wait for it.
        let outputPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("run-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process: ChildProcess
        do {
            process = try ChildProcess(
                executable: path, arguments: arguments, environment: environment, outputPath: outputPath)
        } catch {
            throw Failure(message: "\(error)", output: "")
        }
        let exitCode = process.waitForExit(timeout: timeout)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard let exitCode else {
            process.kill9()
            throw Failure(
                message: "\(executable) \(arguments.joined(separator: " ")) ran longer than \(timeout) s", output: text)
        }
        return Result(exitCode: exitCode, output: text)
    }

    /// The absolute path of `executable`, searching PATH for a bare name.
    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw Failure(message: "\(executable) is not an executable file", output: "")
            }
            return executable
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(message: "\(executable) not found in PATH", output: "")
    }
}

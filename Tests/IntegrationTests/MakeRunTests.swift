import Foundation
import Testing

/// `make run` (scripts/run.sh) as a person runs it: in a terminal's foreground process group, its
/// output piped into `tee`, stopped with Ctrl-C (SIGINT to the whole group, tee included).
@Suite("MakeRun", .enabled(if: TestEnvironment.shouldRun), .offCooperativePool)
struct MakeRunTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The processes of session `session` (the process group setsid made), from /proc; zombies
    /// (exited, waiting for a parent to reap them) are not running.
    static func runningProcesses(inSession session: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let fields = statFields(pid) else { return nil }
            // Fields after "(comm)": state, ppid, pgrp, session.
            guard fields.count > 3, fields[0] != "Z", pid_t(fields[3]) == session else { return nil }
            return pid
        }
    }

    /// True while `pid` exists and is not a zombie.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let fields = statFields(pid) else { return false }
        return fields.first != "Z"
    }

    /// /proc/PID/stat after the command name (which may hold spaces), split on spaces.
    private static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: end)...].split(separator: " ")
    }

    @Test("make run | tee LOG, then Ctrl-C: the broker, the ingester and the throwaway PostgreSQL all stop; its directory is gone; run.sh exits 0")
    func ctrlCWithPipedOutputStopsEverything() throws {
        // The status is written by the subshell on the pipe's left: it gets the Ctrl-C too, but
        // carries on when run.sh exits normally (a shell assumes its child handled the signal).
        try interruptRun(
            label: "make-run", shellCommand: { script, log, status in "{ bash '\(script)'; echo $? > '\(status)'; } | tee '\(log)'" },
            expectTee: true)
    }

    @Test("make run started with SIGINT ignored (nohup, a job a script started with &), then Ctrl-C: everything stops and run.sh exits 0, not 1")
    func ctrlCWhenStartedWithSIGINTIgnoredExitsZero() throws {
        // `trap '' INT` is what such a parent leaves its children: SIGINT ignored at entry, which
        // a shell cannot trap, while mosquitto installs its own handler and stops on it.
        try interruptRun(
            label: "make-run-ignored",
            shellCommand: { script, log, status in "trap '' INT; bash '\(script)' > '\(log)' 2>&1; echo $? > '\(status)'" },
            expectTee: false)
    }

    /// Starts run.sh through `shellCommand` (given run.sh's path, the log it must write, and the
    /// file for run.sh's exit status) in a session of its own, waits until it runs, sends SIGINT to
    /// the whole group as a terminal's Ctrl-C does, and checks that every process of the run ends,
    /// the throwaway PostgreSQL's directory is gone and run.sh's exit status is 0.
    private func interruptRun(
        label: String, shellCommand: (_ script: String, _ log: String, _ status: String) -> String, expectTee: Bool
    ) throws {
        let mosquitto = try TestEnvironment.require(.mosquitto21)
        _ = try TestEnvironment.require(.connPlugin)
        _ = try TestEnvironment.require(.sysIngester)
        let scratch = try TestEnvironment.makeScratchDirectory(label: label)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let runLog = scratch + "/run.log"
        let statusFile = scratch + "/run-exit-status"
        let port = try LocalPorts.free()
        // setsid: a session and process group of its own (its pid is the group's id), like a
        // terminal's foreground job; the test's own process is not in it.
        let job = try ChildProcess(
            executable: "/usr/bin/setsid",
            arguments: ["/bin/bash", "-c", shellCommand(Self.root + "/scripts/run.sh", runLog, statusFile)],
            environment: [
                "MAKE_RUN_DIR": scratch + "/run", "MQTT_PORT": "\(port)", "PG_DSN": "", "MOSQUITTO_21": mosquitto,
            ],
            outputPath: scratch + "/terminal.out")
        func log() -> String { (try? String(contentsOfFile: runLog, encoding: .utf8)) ?? "" }
        defer {
            // After a failure: whatever the run left. PostgreSQL has a session of its own (pg_ctl),
            // so killing the group does not reach it.
            if job.isRunning { kill(-job.processIdentifier, SIGKILL) }
            for line in log().split(separator: "\n") where line.hasPrefix("make run: throwaway PostgreSQL in ") {
                let directory = String(line.dropFirst("make run: throwaway PostgreSQL in ".count).prefix { $0 != " " })
                _ = try? ProcessRunner.run("/bin/bash", [Self.root + "/scripts/pg-scratch.sh", "remove", directory], timeout: 60)
            }
        }
        try waitUntil(timeout: 120, "make run says it is running") { log().contains("Press Ctrl-C to stop everything.") }
        let pgDirectory = try #require(
            log().split(separator: "\n").first { $0.hasPrefix("make run: throwaway PostgreSQL in ") }
                .map { String($0.dropFirst("make run: throwaway PostgreSQL in ".count).prefix { $0 != " " }) },
            "\(log())")
        let pidFile = try String(contentsOfFile: pgDirectory + "/data/postmaster.pid", encoding: .utf8)
        let postmaster = try #require(pidFile.split(separator: "\n").first.flatMap { pid_t($0) })
        let session = job.processIdentifier
        // Everything of the run: bash, run.sh, tee, mosquitto, sys-ingester (and PostgreSQL's
        // processes when pg_ctl did not give them a session of their own).
        let processes = Set(Self.runningProcesses(inSession: session) + [postmaster])
        let commands = processes.compactMap { try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(commands.contains("mosquitto"), "\(commands)")
        #expect(commands.contains("sys-ingester"), "\(commands)")
        if expectTee { #expect(commands.contains("tee"), "\(commands)") }

        kill(-session, SIGINT)  // Ctrl-C
        let exitCode = job.waitForExit(timeout: 90)
        #expect(exitCode != nil, "make run still running 90 s after Ctrl-C")
        // run.sh may outlive the shell that started it (the shell ends with its pipeline, and a
        // killed tee ends first); wait for every process of the run, then check none is left.
        try waitUntil(timeout: 90, "every process of the run ended") { !processes.contains(where: Self.isRunning) }
        #expect(!FileManager.default.fileExists(atPath: pgDirectory), "the throwaway PostgreSQL's directory is left")
        let terminal = (try? String(contentsOfFile: scratch + "/terminal.out", encoding: .utf8)) ?? ""
        #expect(!terminal.contains("Broken pipe"), "\(terminal)")
        let status = (try? String(contentsOfFile: statusFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status == "0", "run.sh's exit status after Ctrl-C: \(status ?? "none written"); its output: \(log())\(terminal)")
    }
}

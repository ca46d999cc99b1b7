import Locking

#if canImport(Glibc)
import Glibc
#endif

/// `mqtt-load --hold`: the threads of `HoldWorker` and the lines printed after each step of each
/// round (all connected; all closed by the broker). Returns the exit status.
func runHold(_ options: LoadOptions, clients: Int) -> Int32 {
    // Each held connection is one descriptor: take all the hard limit allows.
    var limit = rlimit()
    if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
    let threads = min(options.threads, clients)
    let barrier = UnsafeMutablePointer<pthread_barrier_t>.allocate(capacity: 1)
    defer { barrier.deallocate() }
    pthread_barrier_init(barrier, nil, UInt32(threads + 1))
    defer { pthread_barrier_destroy(barrier) }
    let deadline = Clocks.monotonicMicroseconds() + Int64(options.holdLimitSeconds) * 1_000_000
    var workers: [HoldWorker] = []
    var first = 0
    for index in 0..<threads {
        let count = clients / threads + (index < clients % threads ? 1 : 0)
        let worker = HoldWorker(options: options, firstClient: first, clientCount: count, barrier: barrier, deadline: deadline)
        first += count
        guard worker.start() else {
            printError("mqtt-load: cannot start thread \(index)")
            exit(1)
        }
        workers.append(worker)
    }
    var failed = false
    for round in 0..<options.rounds {
        pthread_barrier_wait(barrier)
        let connects = workers.map { $0.connects[round] }
        var latencies = connects.flatMap(\.latencies)
        latencies.sort()
        let errors = connects.reduce(0) { $0 + $1.errors }
        let started = connects.map(\.startedAtMicros).min() ?? 0
        let finished = connects.map(\.finishedAtMicros).max() ?? 0
        let summary = LoadResult(
            threads: threads, cycles: latencies.count, errors: errors, seconds: Double(finished - started) / 1e6,
            sortedLatencies: latencies, firstError: connects.lazy.compactMap(\.firstError).first)
        var fields = [
            "\"event\":\"connected\"", "\"round\":\(round + 1)", "\"clients\":\(clients)",
            "\"connected\":\(latencies.count)", "\"errors\":\(errors)",
            "\"retries\":\(connects.reduce(0) { $0 + $1.retries })",
            "\"started_at\":\(LoadResult.decimal(Double(started) / 1e6, places: 6))",
            "\"finished_at\":\(LoadResult.decimal(Double(finished) / 1e6, places: 6))",
            "\"seconds\":\(LoadResult.decimal(summary.seconds, places: 3))",
            "\"p50_us\":\(summary.percentile(0.50))", "\"p99_us\":\(summary.percentile(0.99))",
            "\"max_us\":\(latencies.last ?? 0)",
        ]
        if let firstError = summary.firstError {
            fields.append("\"first_error\":\(LoadResult.quoted(firstError))")
            failed = true
        }
        printLine("{" + fields.joined(separator: ",") + "}")
        pthread_barrier_wait(barrier)
        let closes = workers.map { $0.closes[round] }
        let closed = closes.reduce(0) { $0 + $1.closed }
        let abandoned = closes.reduce(0) { $0 + $1.abandoned }
        if abandoned > 0 { failed = true }
        let firstClose = closes.filter { $0.closed > 0 }.map(\.firstCloseMicros).min() ?? 0
        let lastClose = closes.map(\.lastCloseMicros).max() ?? 0
        printLine(
            "{\"event\":\"closed\",\"round\":\(round + 1),\"closed\":\(closed),\"abandoned\":\(abandoned),"
                + "\"first_close_at\":\(LoadResult.decimal(Double(firstClose) / 1e6, places: 6)),"
                + "\"last_close_at\":\(LoadResult.decimal(Double(lastClose) / 1e6, places: 6))}")
    }
    for worker in workers { worker.join() }
    return failed ? 1 : 0
}

/// One line on standard output, written at once (the bench script reads it while we run).
func printLine(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

// mqtt-load: a connection-churn load generator for benchmarks and smoke tests (see `mqtt-load --help`,
// LoadOptions).
import Locking

#if canImport(Glibc)
import Glibc
#endif

/// Writes one line to standard error (file descriptor 2; libc's `stderr` global is not
/// concurrency-safe in Swift 6).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

let options: LoadOptions
do {
    options = try LoadOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    // --help prints the help and exits 0; any other refusal names the option at fault and exits 2
    // (not swift-argument-parser's 64: the scripts and tests tell a bad command line by 2).
    if LoadOptions.exitCode(for: error) == .success {
        print(LoadOptions.fullMessage(for: error))
        exit(0)
    }
    printError("mqtt-load: \(LoadOptions.message(for: error)) (mqtt-load --help lists the options)")
    exit(2)
}

// A broker that closes first must not kill us with SIGPIPE (MQTTWire sends with MSG_NOSIGNAL,
// this also covers anything else).
signal(SIGPIPE, SIG_IGN)

if let clients = options.hold { exit(runHold(options, clients: clients)) }

let started = Clocks.monotonicMicroseconds()
let deadline = started + Int64(options.seconds * 1_000_000)
var workers: [LoadWorker] = []
for index in 0..<options.threads {
    let quota = options.cycles.map { total in total / options.threads + (index < total % options.threads ? 1 : 0) }
    let worker = LoadWorker(options: options, index: index, quota: quota, deadline: deadline)
    guard worker.start() else {
        printError("mqtt-load: cannot start thread \(index)")
        exit(1)
    }
    workers.append(worker)
}
for worker in workers { worker.join() }
let elapsed = Double(Clocks.monotonicMicroseconds() - started) / 1e6

var latencies = workers.flatMap(\.latencies)
latencies.sort()
let result = LoadResult(
    threads: options.threads, cycles: latencies.count, errors: workers.reduce(0) { $0 + $1.errors }, seconds: elapsed,
    sortedLatencies: latencies, firstError: workers.lazy.compactMap(\.firstError).first)
print(result.json)
if let firstError = result.firstError { printError("mqtt-load: \(result.errors) cycles failed; first: \(firstError)") }
exit(result.errors == 0 ? 0 : 1)

import Locking

extension PosixThread {
    /// Runs `body` on a thread of its own and suspends until it returns, so that a blocking call
    /// (a wait with a deadline, libpq) never holds one of Swift concurrency's few threads, which
    /// the other services need meanwhile. Without a thread (the system refused one) `body` runs here.
    package static func run(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            do {
                try start {
                    body()
                    continuation.resume()
                }.detach()
            } catch {
                body()
                continuation.resume()
            }
        }
    }
}

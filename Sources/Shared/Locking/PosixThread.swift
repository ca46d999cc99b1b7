#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running a closure, outside any Swift concurrency pool: for threads that spend
/// their life in blocking calls (the plugin's writer in libpq and file calls, mqtt-load's workers
/// in socket calls).
package struct PosixThread {
    private let handle: pthread_t

    /// Starts a thread that runs `body` once.
    /// - Throws: `PosixThreadError` with the system's reason.
    package static func start(_ body: @escaping () -> Void) throws(PosixThreadError) -> PosixThread {
        final class Box {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        // Ownership: the new thread takes the one retain and releases it when `body` returns.
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { argument in
                guard let argument else { return nil }
                Unmanaged<Box>.fromOpaque(argument).takeRetainedValue().body()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            throw PosixThreadError(code: result)
        }
        return PosixThread(handle: handle)
    }

    /// Waits for the thread to end.
    package func join() { pthread_join(handle, nil) }

    /// Lets the thread end on its own, unjoined.
    package func detach() { pthread_detach(handle) }
}

package struct PosixThreadError: Error, CustomStringConvertible {
    package let code: Int32
    package var description: String { String(cString: strerror(code)) }
}

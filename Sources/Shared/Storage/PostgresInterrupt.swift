#if canImport(Glibc)
import Glibc
#endif

/// Cuts short, from another thread, every network wait of the connections it was given to:
/// a program stopping while its database is silent must not sit out a 15 s statement timeout.
///
/// One-shot and sticky: once triggered, every wait of those connections (and every later one)
/// ends at once with `PostgresError.Kind.interrupted`. A pipe does the waking: `trigger()` writes a
/// byte that is never read, so the read end stays readable for `poll(2)` alongside the socket.
/// `@unchecked Sendable`: the descriptors never change after `init` and are closed in `deinit`.
package final class PostgresInterrupt: @unchecked Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    /// - Throws: `PostgresError` of kind `.connection` when no pipe can be made (out of descriptors).
    package init() throws(PostgresError) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else {
            throw PostgresError(kind: .connection, message: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        readEnd = descriptors[0]
        writeEnd = descriptors[1]
    }

    deinit {
        Glibc.close(readEnd)
        Glibc.close(writeEnd)
    }

    /// Ends current and future waits. Safe from any thread, any number of times.
    package func trigger() {
        var byte: UInt8 = 1
        // Non-blocking: once the pipe holds a byte, a failed write (EAGAIN) changes nothing.
        _ = write(writeEnd, &byte, 1)
    }

    package var isTriggered: Bool {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// The descriptor to poll for readability alongside a socket.
    var pollDescriptor: Int32 { readEnd }
}

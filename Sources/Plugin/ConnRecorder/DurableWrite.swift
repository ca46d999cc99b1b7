#if canImport(Glibc)
import Glibc
#endif

/// Appends bytes to an open file and makes them durable: the write loop (short writes, EINTR) and
/// fdatasync that the spool and the dead-letter file share.
enum DurableWrite {
    /// What failed, with the errno.
    struct Failure: Error {
        let operation: String
        let code: Int32
    }

    /// Writes all of `bytes` to `descriptor`, then fdatasync.
    /// - Throws: `Failure` naming `write` or `fdatasync`; the file may then hold a torn tail.
    static func append(_ bytes: [UInt8], to descriptor: Int32) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", code: errno)
            }
            written += result
        }
        guard fdatasync(descriptor) == 0 else { throw Failure(operation: "fdatasync", code: errno) }
    }
}

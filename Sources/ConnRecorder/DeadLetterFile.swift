#if canImport(Glibc)
import Glibc
#endif

/// `<spool_dir>/dead-letters.log`: events PostgreSQL rejected as data, one spool record per
/// line followed by a tab and the server's reason as a JSON string. Appended durably, like the
/// spool, so a rejected event is never lost silently.
struct DeadLetterFile {
    let path: String

    /// Appends one line for `event`.
    /// - Throws: `SpoolError` naming the file and the system's reason.
    func append(_ event: ConnEvent, reason: String) throws(SpoolError) {
        var line = SpoolRecord.encode(event)
        line.removeLast()
        var quoted = ""
        JSONObjectWriter.appendString(reason, to: &quoted)
        line += "\t" + quoted + "\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError(path: path, operation: "open", code: errno) }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SpoolError(path: path, operation: "write", code: errno)
            }
            written += result
        }
        guard fdatasync(descriptor) == 0 else { throw SpoolError(path: path, operation: "fdatasync", code: errno) }
    }
}

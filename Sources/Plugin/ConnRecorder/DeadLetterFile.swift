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
        do {
            try DurableWrite.append(Array(line.utf8), to: descriptor)
        } catch {
            throw SpoolError(path: path, operation: error.operation, code: error.code)
        }
    }
}

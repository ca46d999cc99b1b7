#if canImport(Glibc)
import Glibc
import Locking
#endif

/// A durable FIFO of events on local disk, used while PostgreSQL cannot take them.
///
/// Files are segments named by a zero-padded, increasing number; appends go to the newest,
/// replay reads the oldest. A segment is deleted once every event in it is committed. A crash
/// between commit and delete replays the segment again, which the event keys make harmless.
/// A lock file (flock) keeps two brokers from sharing one spool directory.
///
/// Used by the writer thread only.
package final class EventSpool {
    package let directory: String
    private let maxBytes: Int
    private var lockDescriptor: Int32 = -1
    private var appendDescriptor: Int32 = -1
    private var appendSegment: String?
    private var appendSegmentBytes = 0
    private var nextSegmentNumber: Int64
    /// The oldest segment's events not yet acknowledged: `replayBuffer[replayStart...]` (an index,
    /// not `removeFirst`, which would move the rest of a ~30,000-event segment at every batch).
    private var replayBuffer: [ConnEvent] = []
    private var replayStart = 0
    private var replaySegment: String?
    /// Bytes on disk across all segments.
    package private(set) var byteCount = 0
    /// Segment names, oldest first. The directory is read once at open; afterwards this spool
    /// is its only writer (the lock file guarantees it), so the list is kept here and checking
    /// for work costs no system call.
    private var segmentNames: [String] = []

    private static let segmentLimit = 4 * 1024 * 1024
    private static let suffix = ".spool"

    /// Opens (creating if needed) the spool in `directory`.
    /// - Throws: `SpoolError` naming the directory and the system's reason.
    package init(directory: String, maxBytes: Int) throws(SpoolError) {
        self.directory = directory
        self.maxBytes = maxBytes
        nextSegmentNumber = Clocks.wallMicroseconds()
        try Self.makeDirectories(directory)
        let lockPath = directory + "/lock"
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockDescriptor >= 0 else { throw SpoolError(path: lockPath, operation: "open", code: errno) }
        guard flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(lockDescriptor)
            lockDescriptor = -1
            if code == EWOULDBLOCK {
                throw SpoolError(
                    path: directory, operation: "lock", code: code,
                    explanation: "another broker is using this spool directory; give each broker its own plugin_opt_conn_spool_dir")
            }
            throw SpoolError(path: lockPath, operation: "lock", code: code)
        }
        segmentNames = segments()
        for segment in segmentNames {
            byteCount += Self.fileSize(directory + "/" + segment)
            if let number = Int64(segment.dropLast(Self.suffix.count)), number >= nextSegmentNumber {
                nextSegmentNumber = number + 1
            }
        }
    }

    deinit { close() }

    /// Releases the files; the segments stay for the next start.
    package func close() {
        if appendDescriptor >= 0 { Glibc.close(appendDescriptor) }
        appendDescriptor = -1
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
        lockDescriptor = -1
    }

    /// True when nothing is waiting on disk.
    package var isEmpty: Bool { replayStart >= replayBuffer.count && segmentNames.isEmpty }

    /// Appends `events` durably (fdatasync) in order.
    /// - Returns: how many events did not fit under the size limit and were dropped.
    /// - Throws: `SpoolError` when the disk refuses the write; nothing was appended then.
    package func append<Events: Collection<ConnEvent>>(_ events: Events) throws(SpoolError) -> Int {
        var text = ""
        var accepted = 0
        for event in events {
            let line = SpoolRecord.encode(event)
            if byteCount + text.utf8.count + line.utf8.count > maxBytes { break }
            text += line
            accepted += 1
        }
        if !text.isEmpty {
            if appendDescriptor < 0 || appendSegmentBytes >= Self.segmentLimit { try openNewSegment() }
            let bytes = Array(text.utf8)
            do {
                try DurableWrite.append(bytes, to: appendDescriptor)
            } catch {
                // A torn tail, or records not known to be on disk: cut them, so the segment stays a
                // sequence of whole records and nothing is counted as kept that may not be.
                _ = ftruncate(appendDescriptor, off_t(appendSegmentBytes))
                throw SpoolError(path: appendSegment ?? directory, operation: error.operation, code: error.code)
            }
            appendSegmentBytes += bytes.count
            byteCount += bytes.count
        }
        return events.count - accepted
    }

    /// The oldest events on disk, up to `limit`, in order; they stay until `acknowledge`.
    package func peek(limit: Int) -> ArraySlice<ConnEvent> {
        if replayStart >= replayBuffer.count { loadOldestSegment() }
        return replayBuffer[replayStart...].prefix(limit)
    }

    /// Marks the first `count` peeked events as committed; deletes a segment once drained.
    package func acknowledge(_ count: Int) {
        replayStart = min(replayStart + count, replayBuffer.count)
        if replayStart >= replayBuffer.count {
            replayBuffer = []
            replayStart = 0
        }
        if replayBuffer.isEmpty, let segment = replaySegment {
            let path = directory + "/" + segment
            if segment == appendSegment {
                Glibc.close(appendDescriptor)
                appendDescriptor = -1
                appendSegment = nil
                appendSegmentBytes = 0
            }
            byteCount = max(0, byteCount - Self.fileSize(path))
            unlink(path)
            segmentNames.removeAll { $0 == segment }
            replaySegment = nil
        }
    }

    // MARK: - Files

    private func openNewSegment() throws(SpoolError) {
        if appendDescriptor >= 0 { Glibc.close(appendDescriptor) }
        let number = String(nextSegmentNumber)
        nextSegmentNumber += 1
        let name = String(repeating: "0", count: max(0, 20 - number.count)) + number + Self.suffix
        let path = directory + "/" + name
        appendDescriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard appendDescriptor >= 0 else { throw SpoolError(path: path, operation: "create", code: errno) }
        appendSegment = name
        appendSegmentBytes = 0
        segmentNames.append(name)
    }

    private func loadOldestSegment() {
        guard let oldest = segmentNames.first else { return }
        // Appends to the segment being replayed would be lost to the delete: start a new one.
        if oldest == appendSegment {
            Glibc.close(appendDescriptor)
            appendDescriptor = -1
            appendSegment = nil
            appendSegmentBytes = 0
        }
        replaySegment = oldest
        let content = Self.readFile(directory + "/" + oldest)
        // Only whole lines count: a crash can leave a partial last line, without its newline.
        var events: [ConnEvent] = []
        content.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while let newline = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                if newline > lineStart, let event = SpoolRecord.decode(utf8: UnsafeBufferPointer(rebasing: bytes[lineStart..<newline])) {
                    events.append(event)
                }
                lineStart = newline + 1
            }
        }
        replayBuffer = events
        replayStart = 0
        if events.isEmpty { acknowledge(0) }
    }

    /// Segment names, oldest first.
    private func segments() -> [String] {
        // readdir writes d_name's bytes up to its NUL and no further (the record is d_reclen
        // long, not sizeof(struct dirent)): copying the 256-byte field reads bytes nobody wrote,
        // which valgrind reports. The name is read in place, up to the NUL, through a pointer.
        guard let nameOffset = MemoryLayout<dirent>.offset(of: \.d_name), let handle = opendir(directory) else {
            return []
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name.hasSuffix(Self.suffix) { names.append(name) }
        }
        return names.sorted()
    }

    private static func readFile(_ path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { Glibc.close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func makeDirectories(_ path: String) throws(SpoolError) {
        var current = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw SpoolError(path: current, operation: "create directory", code: errno)
            }
        }
    }
}

/// A spool file operation that failed.
package struct SpoolError: Error, CustomStringConvertible {
    package let path: String
    package let operation: String
    package let code: Int32
    package var explanation: String?

    package init(path: String, operation: String, code: Int32, explanation: String? = nil) {
        self.path = path
        self.operation = operation
        self.code = code
        self.explanation = explanation
    }

    package var description: String {
        let reason = explanation ?? String(cString: strerror(code))
        return "spool \(operation) failed for \(path): \(reason)"
    }
}

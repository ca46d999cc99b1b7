import ConnRecorder
import Glibc
import Testing

@Suite struct SpoolTests {
    static let hostileIDs = [
        "plain", "it's \"quoted\"", "back\\slash\\N", "tab\there", "new\nline", "'; DROP TABLE client_sessions; --",
        "设备-温度传感器", "🚀📡", String(repeating: "x", count: 5000), "\\N",
    ]

    private func event(_ id: String, sequence: Int64, kind: ConnEvent.Kind = .connect) -> ConnEvent {
        ConnEvent(
            kind: kind, timestampMicros: 1_700_000_000_123_456 + sequence, clientID: id,
            username: sequence % 2 == 0 ? nil : "user\t\(id)", peer: "::1", protocol: "MQTT/3.1.1",
            reasonCode: kind == .disconnect ? 7 : nil, cause: kind == .disconnect ? .clientOffline : nil,
            connection: ConnectionDetails(
                connectionSequence: sequence, listenerPort: nil, keepAliveSeconds: 30, cleanStart: false,
                websockets: sequence % 2 == 0 ? nil : true, clientCertificate: false),
            origin: EventOrigin(brokerID: "b\\1", bootID: "boot", sequence: sequence))
    }

    @Test(arguments: hostileIDs)
    func recordRoundTripsHostileText(_ id: String) throws {
        let original = event(id, sequence: 3, kind: .disconnect)
        let line = SpoolRecord.encode(original)
        #expect(line.hasSuffix("\n"))
        #expect(line.dropLast().contains("\n") == false)
        var decoded = try #require(SpoolRecord.decode(line.dropLast()))
        #expect(decoded.origin.replayed == true)
        decoded.origin.replayed = nil
        #expect(decoded == original)
    }

    @Test func tornOrForeignLinesAreRejected() {
        let line = SpoolRecord.encode(event("a", sequence: 1))
        #expect(SpoolRecord.decode(line.dropLast().prefix(20)) == nil)
        #expect(SpoolRecord.decode("garbage") == nil)
        #expect(SpoolRecord.decode("") == nil)
    }

    @Test func malformedEscapesAndBadBytesNeverCrashTheDecoder() throws {
        let line = String(SpoolRecord.encode(event("a", sequence: 1)).dropLast())
        // An escape the encoder never writes, and a backslash that ends a field.
        #expect(SpoolRecord.decode(line.replacing("\ta\t", with: "\ta\\x\t", maxReplacements: 1)) == nil)
        #expect(SpoolRecord.decode(line.replacing("\ta\t", with: "\ta\\\t", maxReplacements: 1)) == nil)
        // Bytes that are not UTF-8 in a client id: decoded with replacement characters.
        var bytes = Array(line.utf8)
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "a")))
        bytes[at] = 0xFF
        let decoded = try #require(bytes.withUnsafeBufferPointer { SpoolRecord.decode(utf8: $0) })
        #expect(decoded.clientID == "\u{FFFD}")
        // Twenty fields: a future format, not this one.
        #expect(SpoolRecord.decode(line + "\textra") == nil)
    }

    @Test func aTornLastLineIsNotReplayedAndTheWholeLinesAre() throws {
        let directory = temporaryDirectory()
        let events = (0..<3).map { event("client-\($0)", sequence: Int64($0)) }
        do {
            let spool = try EventSpool(directory: directory, maxBytes: 1_000_000)
            #expect(try spool.append(events) == 0)
        }
        // A crash in the middle of the next append: half a record, no newline.
        let segment = try #require(Self.files(in: directory).first { $0.hasSuffix(".spool") })
        let torn = Array(SpoolRecord.encode(event("torn", sequence: 9)).utf8.prefix(40))
        let descriptor = open(directory + "/" + segment, O_WRONLY | O_APPEND)
        #expect(descriptor >= 0)
        #expect(torn.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == torn.count)
        close(descriptor)

        let reopened = try EventSpool(directory: directory, maxBytes: 1_000_000)
        #expect(reopened.peek(limit: 10).map(\.clientID) == ["client-0", "client-1", "client-2"])
    }

    private static func files(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            // d_name in place, up to its NUL (the record is d_reclen long, not sizeof(dirent)).
            let name = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!
            names.append(String(cString: name.assumingMemoryBound(to: CChar.self)))
        }
        return names
    }

    private func temporaryDirectory() -> String {
        var template = Array("/tmp/conn-spool-test-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    @Test func spoolKeepsOrderAcrossReopenAndDeletesDrainedSegments() throws {
        let directory = temporaryDirectory() + "/nested/spool"
        let events = Self.hostileIDs.enumerated().map { event($1, sequence: Int64($0)) }
        do {
            let spool = try EventSpool(directory: directory, maxBytes: 10_000_000)
            #expect(spool.isEmpty)
            #expect(try spool.append(events) == 0)
            #expect(!spool.isEmpty)
        }
        // A new start (after a crash or a clean stop) finds the same events, in order.
        let reopened = try EventSpool(directory: directory, maxBytes: 10_000_000)
        let first = Array(reopened.peek(limit: 4))
        #expect(first.map(\.clientID) == Array(Self.hostileIDs.prefix(4)))
        reopened.acknowledge(4)
        let rest = Array(reopened.peek(limit: 100))
        #expect(rest.map(\.clientID) == Array(Self.hostileIDs.dropFirst(4)))
        reopened.acknowledge(rest.count)
        #expect(reopened.isEmpty)
        #expect(reopened.byteCount == 0)
    }

    @Test func spoolRefusesPastItsLimitAndCountsDrops() throws {
        let spool = try EventSpool(directory: temporaryDirectory(), maxBytes: 600)
        let events = (0..<20).map { event("client-\($0)", sequence: Int64($0)) }
        let dropped = try spool.append(events)
        #expect(dropped > 0)
        #expect(dropped < 20)
        #expect(spool.byteCount <= 600)
        #expect(spool.peek(limit: 100).count == 20 - dropped)
    }

    @Test func secondSpoolOnSameDirectoryIsRefused() throws {
        let directory = temporaryDirectory()
        let first = try EventSpool(directory: directory, maxBytes: 1000)
        #expect {
            _ = try EventSpool(directory: directory, maxBytes: 1000)
        } throws: { error in
            "\(error)".contains("plugin_opt_conn_spool_dir")
        }
        first.close()
        _ = try EventSpool(directory: directory, maxBytes: 1000)
    }
}


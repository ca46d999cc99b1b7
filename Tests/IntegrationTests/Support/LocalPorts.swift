import Foundation

/// Loopback TCP port helpers that never open a connection to the port they inspect (a probe
/// connection would show up in a broker's client events and $SYS counters).
enum LocalPorts {
    struct SocketFailure: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    /// A port on 127.0.0.1 that was free a moment ago (the kernel's pick for a bind to port 0).
    static func free() throws -> Int {
        let descriptor = try listeningSocket(backlog: nil)
        defer { close(descriptor.fd) }
        return descriptor.port
    }

    /// Creates a close-on-exec TCP socket bound to 127.0.0.1 on a kernel-chosen port; listening when
    /// `backlog` is given.
    static func listeningSocket(backlog: Int32?) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketFailure(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw SocketFailure(call: "bind", code: code)
        }
        if let backlog, listen(fd, backlog) != 0 {
            let code = errno
            close(fd)
            throw SocketFailure(call: "listen", code: code)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// True when some socket is in LISTEN state on 127.0.0.1:`port` or 0.0.0.0:`port`, read from
    /// /proc/net/tcp (state 0A). With `processIdentifier`, the socket must also be one of that
    /// process's descriptors, so another program that happens to hold the port does not count.
    static func isListening(_ port: Int, processIdentifier: Int32? = nil) -> Bool {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return false }
        let portHex = String(format: "%04X", port)
        let wanted: Set<String> = ["0100007F:\(portHex)", "00000000:\(portHex)"]
        var inodes: Set<String> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9 else { continue }
            if fields[3] == "0A" && wanted.contains(String(fields[1])) { inodes.insert("socket:[\(fields[9])]") }
        }
        guard !inodes.isEmpty else { return false }
        guard let processIdentifier else { return true }
        let descriptors = "/proc/\(processIdentifier)/fd"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: descriptors) else { return false }
        return entries.contains { entry in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(descriptors)/\(entry)")
            else { return false }
            return inodes.contains(target)
        }
    }
}

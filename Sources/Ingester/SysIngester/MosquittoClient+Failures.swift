internal import CMosquitto
import Foundation
import IngestCore
import Logging

// How a broker connection reports what went wrong: libmosquitto's return code with its errno,
// the library's own recent error lines, and a hint for TLS failures that come without a reason.
extension MosquittoClient {
    /// A libmosquitto return code with the errno of the same moment (read at once: the next
    /// call may change it).
    struct Outcome {
        let rc: Int32
        let savedErrno: Int32

        init(_ rc: Int32) {
            self.rc = rc
            savedErrno = errno
        }

        var succeeded: Bool { rc == Int32(MOSQ_ERR_SUCCESS.rawValue) }

        /// `mosquitto_strerror` reads errno for `MOSQ_ERR_ERRNO`; the saved one is the right one.
        var description: String {
            rc == Int32(MOSQ_ERR_ERRNO.rawValue) ? String(cString: strerror(savedErrno)) : MosquittoError.describe(rc)
        }

        /// libmosquitto's own test in `mosquitto_loop_forever`: OpenSSL failures come back as
        /// `MOSQ_ERR_TLS` or with errno `EPROTO`.
        var isTLSFailure: Bool { !succeeded && (rc == Int32(MOSQ_ERR_TLS.rawValue) || savedErrno == EPROTO) }
    }

    /// Adds an error line (nil: forgets them all, after a successful connect).
    func rememberLibraryError(_ line: String?) {
        shared.withLock { shared in
            guard let line else { return shared.libraryErrors.removeAll() }
            guard !shared.libraryErrors.contains(line) else { return }
            shared.libraryErrors.append(line)
            if shared.libraryErrors.count > 3 { shared.libraryErrors.removeFirst() }
        }
    }

    /// `mqtt.error` for the outcome, and `mqtt.detail` with libmosquitto's recent error lines if
    /// any. A TLS failure without such lines gets `mqtt.hint` instead: the broker's close can
    /// overtake its TLS alert, and "Protocol error" alone helps nobody.
    func failureMetadata(_ outcome: Outcome) -> Logger.Metadata {
        let detail = shared.withLock { $0.libraryErrors.joined(separator: " | ") }
        var metadata: Logger.Metadata = ["mqtt.error": "\(outcome.description)"]
        if !detail.isEmpty { metadata["mqtt.detail"] = "\(detail)" }
        if outcome.isTLSFailure,
            let hint = TLSFailureHint.hint(
                usesTLS: settings.tls != nil, presentsClientCertificate: settings.tls?.certFile != nil,
                libraryDetail: detail)
        {
            metadata["mqtt.hint"] = "\(hint)"
        }
        return metadata
    }
}

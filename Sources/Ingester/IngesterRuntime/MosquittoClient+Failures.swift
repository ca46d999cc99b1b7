internal import CMosquitto
import Foundation

// How a broker connection reports what went wrong: libmosquitto's return code with its errno,
// turned into a `BrokerFailure` for the session (which adds the library's recent error lines and
// a hint for TLS failures that come without a reason).
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
}

extension MosquittoClient.Outcome {
    /// The outcome as the session logs it.
    var failure: BrokerFailure { BrokerFailure(description: description, isTLSFailure: isTLSFailure) }
}

internal import CMosquitto

/// A libmosquitto call that did not return `MOSQ_ERR_SUCCESS`.
struct MosquittoError: Error, CustomStringConvertible {
    /// The `MOSQ_ERR_*` code.
    let code: Int32
    /// `mosquitto_strerror(code)`.
    let message: String
    /// The libmosquitto function that failed.
    let function: String

    var description: String { "\(function) failed: \(message) (\(code))" }

    /// Throws unless `rc` is `MOSQ_ERR_SUCCESS`: the one place `MosquittoError`s are made.
    static func check(_ rc: Int32, _ function: String) throws(MosquittoError) {
        guard rc != Int32(MOSQ_ERR_SUCCESS.rawValue) else { return }
        throw MosquittoError(code: rc, message: describe(rc), function: function)
    }

    static func describe(_ rc: Int32) -> String {
        mosquitto_strerror(rc).map { String(cString: $0) } ?? "unknown error"
    }
}

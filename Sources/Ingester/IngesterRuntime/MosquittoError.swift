internal import CMosquitto

/// A libmosquitto call that did not return `MOSQ_ERR_SUCCESS`.
package struct MosquittoError: Error, CustomStringConvertible {
    /// The `MOSQ_ERR_*` code.
    package let code: Int32
    /// `mosquitto_strerror(code)`.
    package let message: String
    /// The libmosquitto function that failed.
    package let function: String

    /// An error as `check(_:_:)` makes it; elsewhere only for fakes of `BrokerConnection`.
    package init(code: Int32, message: String, function: String) {
        self.code = code
        self.message = message
        self.function = function
    }

    package var description: String { "\(function) failed: \(message) (\(code))" }

    /// Throws unless `rc` is `MOSQ_ERR_SUCCESS`: the one place `MosquittoError`s are made.
    static func check(_ rc: Int32, _ function: String) throws(MosquittoError) {
        guard rc != Int32(MOSQ_ERR_SUCCESS.rawValue) else { return }
        throw MosquittoError(code: rc, message: describe(rc), function: function)
    }

    static func describe(_ rc: Int32) -> String {
        mosquitto_strerror(rc).map { String(cString: $0) } ?? "unknown error"
    }
}

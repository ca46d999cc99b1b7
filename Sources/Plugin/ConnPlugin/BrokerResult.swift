internal import CMosquittoBroker

/// The broker API's result codes as plain ints: MOSQ_ERR_* is a C enum, imported as a struct,
/// while every plugin entry point and callback returns an int.
enum BrokerResult {
    static let success = Int32(MOSQ_ERR_SUCCESS.rawValue)
    static let invalid = Int32(MOSQ_ERR_INVAL.rawValue)
    static let notSupported = Int32(MOSQ_ERR_NOT_SUPPORTED.rawValue)
    static let unknown = Int32(MOSQ_ERR_UNKNOWN.rawValue)
}

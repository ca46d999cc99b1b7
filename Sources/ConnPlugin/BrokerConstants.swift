internal import CMosquittoBroker

// MOSQ_ERR_* values are a C enum (imported as a struct); the broker's API speaks plain ints.
let MOSQ_ERR_SUCCESS_CODE = Int32(MOSQ_ERR_SUCCESS.rawValue)
let MOSQ_ERR_INVAL_CODE = Int32(MOSQ_ERR_INVAL.rawValue)
let MOSQ_ERR_NOT_SUPPORTED_CODE = Int32(MOSQ_ERR_NOT_SUPPORTED.rawValue)
let MOSQ_ERR_UNKNOWN_CODE = Int32(MOSQ_ERR_UNKNOWN.rawValue)

import IngestCore
import Testing

@Suite struct TLSFailureHintTests {
    @Test func noClientCertificateSuggestsGivingOne() throws {
        let hint = try #require(
            TLSFailureHint.hint(usesTLS: true, presentsClientCertificate: false, libraryDetail: ""))
        #expect(hint.contains("require_certificate, pass --cert and --key"))
        #expect(hint.contains("broker's log"))
    }

    @Test func aPresentedCertificateIsNamedAsTheSuspect() throws {
        let hint = try #require(
            TLSFailureHint.hint(usesTLS: true, presentsClientCertificate: true, libraryDetail: ""))
        #expect(hint.contains("may not accept the client certificate (--cert)"))
    }

    @Test func aFailureWithItsOwnReasonOrWithoutTLSGetsNoHint() {
        let openSSL = "OpenSSL Error[0]: error:0A00045C:SSL routines::tlsv13 alert certificate required"
        #expect(TLSFailureHint.hint(usesTLS: true, presentsClientCertificate: false, libraryDetail: openSSL) == nil)
        #expect(TLSFailureHint.hint(usesTLS: false, presentsClientCertificate: false, libraryDetail: "") == nil)
    }
}

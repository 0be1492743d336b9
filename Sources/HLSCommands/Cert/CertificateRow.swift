import HLSCore
import HLSLanguage
import Kube

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `cert list` shows of one Certificate: its Ready condition, issuer, notAfter, the days
/// left until then, and its renewal time.
struct CertificateRow {
    var namespace: String
    var name: String
    /// The Ready condition's status, `Unknown` without one (kubectl's READY shows it empty).
    var ready: String
    var issuer: String
    var notAfter: String?
    var notAfterSeconds: Double?
    var renewal: String?
    /// Whole days until notAfter (negative once expired).
    var daysLeft: Int?

    init(certificate: Document, now: Double = Date().timeIntervalSince1970) {
        namespace = certificate.string("metadata", "namespace") ?? ""
        name = certificate.string("metadata", "name") ?? ""
        ready = KubeCondition("Ready", of: certificate)?.status ?? "Unknown"
        issuer = certificate.string("spec", "issuerRef", "name") ?? ""
        notAfter = certificate.string("status", "notAfter")
        notAfterSeconds = notAfter.flatMap(RFC3339.seconds)
        renewal = certificate.string("status", "renewalTime")
        daysLeft = notAfterSeconds.map { Int(($0 - now) / 86400) }
    }

    var record: Record {
        Record([
            ("namespace", .string(namespace)), ("name", .string(name)), ("ready", .string(ready)),
            ("issuer", .string(issuer)), ("not_after", notAfter.map(Value.string) ?? .null),
            ("days_left", daysLeft.map(Value.int) ?? .null), ("renewal", renewal.map(Value.string) ?? .null),
        ])
    }
}

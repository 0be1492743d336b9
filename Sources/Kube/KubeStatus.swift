import HLSCore
import HLSFormats
import HLSTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A `Status` object: what the API server answers instead of an object when a call fails (and
/// what a watch sends as an `ERROR` event). `code` and `reason` are for branching; `message` is
/// for people.
struct KubeStatus: Sendable, Equatable {
    struct Cause: Sendable, Equatable {
        var reason: String
        var message: String
        var field: String
    }

    var code: Int
    /// `NotFound`, `Conflict`, `Expired`, …; empty when the body was not a Status.
    var reason: String
    var message: String
    var causes: [Cause]
    var retryAfterSeconds: Int?
    /// `details.kind` (the resource plural, or the Kind for Invalid) and `details.name`.
    var kind: String?
    var name: String?

    /// The Status of an error response, or one made from the status line and body when the
    /// server sent something else (a proxy's HTML page, an empty 503).
    init(response: HTTPResponse) {
        if let document = try? JSONCodec.decode(response.bodyText, file: "response"),
            document["kind"] == .string("Status")
        {
            self.init(document: document, fallbackCode: response.status)
        } else {
            let text = response.bodyText.trimmingWhitespace()
            self.init(
                document: .object([
                    ("code", .int(response.status)),
                    (
                        "message",
                        .string(
                            "HTTP \(response.statusLine)"
                                + (text.isEmpty ? "" : ": " + Redaction.redact(String(text.prefix(300)))))
                    ),
                ]))
        }
        if retryAfterSeconds == nil, let header = response.headers["Retry-After"], let seconds = Int(header) {
            retryAfterSeconds = seconds
        }
    }

    init(document: Document, fallbackCode: Int = 0) {
        func string(_ value: Document?) -> String {
            if case .string(let text)? = value { return text }
            return ""
        }
        if case .int(let value)? = document["code"] { code = value } else { code = fallbackCode }
        reason = string(document["reason"])
        message = string(document["message"])
        if message.isEmpty { message = reason.isEmpty ? "HTTP \(code)" : reason }
        let details = document["details"]
        kind = details?["kind"].map { string($0) }.flatMap { $0.isEmpty ? nil : $0 }
        name = details?["name"].map { string($0) }.flatMap { $0.isEmpty ? nil : $0 }
        if case .int(let seconds)? = details?["retryAfterSeconds"] { retryAfterSeconds = seconds }
        var causes: [Cause] = []
        if case .array(let items)? = details?["causes"] {
            for item in items {
                causes.append(
                    Cause(
                        reason: string(item["reason"]), message: string(item["message"]), field: string(item["field"])))
            }
        }
        self.causes = causes
    }

    /// Whether a watch must start again from a fresh list (`410 Gone`/`Expired`).
    var isExpired: Bool { code == 410 || reason == "Expired" || reason == "Gone" }

    /// The error people see for this Status from `call`, at the call: `GET /api/v1/…: pods "y"
    /// not found`, with a hint where one helps.
    func error(for call: KubeCall, endpoint: KubeEndpoint) -> HLSError {
        var hint: String?
        switch code {
        case 403:
            hint = "user \(endpoint.user) of context \(endpoint.context) is not allowed to do this (RBAC)"
        case 404 where kind == nil && name == nil:
            hint = "the server does not serve this path; is the resource's CRD applied and Established?"
        case 422 where !causes.isEmpty && !causes.allSatisfy({ message.contains($0.message) }):
            // The causes, unless the message already says them (the API server's usually does).
            hint = causes.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }.joined(separator: "; ")
        default:
            break
        }
        return HLSError(code == 408 || code == 504 ? .timeout : .failed, message, at: call.place, hint: hint)
    }
}

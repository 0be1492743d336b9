public import HLSCore
import HLSFormats
public import HLSTransport

/// An unsuccessful answer from Proxmox VE, read but not yet turned into an `HLSError`, so that
/// the typed calls can recognise conditions they handle (a taken VMID, a guest agent that is not
/// up yet, a VM that is already running) before it is reported.
struct PVEAPIFailure: Sendable {
    let method: String
    /// The API path (below `/api2/json`), without the query string.
    let path: String
    let status: Int
    /// The reason phrase exactly as the status line carried it.
    let reason: String
    /// The JSON body's `message` (PVE ≥ 8.3), or a short plain-text body; trimmed.
    let bodyMessage: String?
    /// The JSON body's `errors`, in order: parameter → complaint.
    let fieldErrors: [(field: String, message: String)]
    /// Whether the request used an API token (else a ticket): it decides the hints.
    var usingToken = true

    init(response: HTTPResponse, method: String, path: String) {
        self.method = method
        self.path = path
        status = response.status
        reason = response.reason.trimmingWhitespace()
        var message: String?
        var errors: [(String, String)] = []
        let text = response.bodyText.trimmingWhitespace()
        if let document = try? JSONCodec.decode(text), case .object = document {
            message = document["message"]?.pveString?.trimmingWhitespace()
            for (field, value) in document["errors"]?.pveMembers ?? [] {
                errors.append((field, Self.oneLine(value.pveString ?? JSONCodec.encode(value))))
            }
        } else if !text.isEmpty, text.count <= 500, !text.hasPrefix("<") {
            message = text
        }
        bodyMessage = message.flatMap { $0.isEmpty ? nil : $0 }
        fieldErrors = errors
    }

    /// A multi-line complaint (PVE 9's property strings explain each sub-key on its own line)
    /// as one line, its lines joined with `; `.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            .joined(separator: "; ")
    }

    /// PVE's own words: the body's message, else the reason phrase, then each field error
    /// (`memory: value must be at least 16`).
    var text: String {
        var head = bodyMessage ?? (reason.isEmpty ? nil : reason)
        if status == 401, !reason.isEmpty { head = reason }
        var text = head ?? "HTTP \(status)"
        if !fieldErrors.isEmpty {
            text += " " + fieldErrors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        }
        return text
    }

    /// The words to match when recognising a condition (message, reason and field errors).
    var searchableText: String {
        ([bodyMessage ?? "", reason] + fieldErrors.map(\.message)).joined(separator: "\n").lowercased()
    }

    /// 595–599: pveproxy could not forward the request to the node that owns the resource.
    var isProxyFailure: Bool { (595...599).contains(status) }

    /// The error users see, at `METHOD /path` (never the query string or a secret).
    func error() -> HLSError {
        let place = Place.request(method: method, url: path)
        let cause = "HTTP \(status)" + (reason.isEmpty || text.contains(reason) ? "" : " \(reason)")
        switch status {
        case 401:
            let hint =
                usingToken
                ? "the API token was refused: check that \(PVEConnectionSettings.Variable.apiToken) is "
                    + "USER@REALM!TOKENID=SECRET for a token that exists, is enabled and has not expired"
                : "check \(PVEConnectionSettings.Variable.username) (USER@REALM) and "
                    + "\(PVEConnectionSettings.Variable.password); a ticket expires after 2 hours"
            return HLSError(
                .failed, reason.isEmpty ? (bodyMessage ?? "authentication failed") : reason, at: place, hint: hint,
                cause: cause)
        case 403:
            let hint =
                usingToken
                ? "API tokens have privilege separation on by default: give the token its own ACL "
                    + "(pveum acl modify PATH --tokens 'USER@REALM!TOKENID' --roles ROLE) or create it with --privsep 0"
                : "grant the user that privilege on that path (pveum acl modify PATH --users USER@REALM --roles ROLE)"
            return HLSError(.failed, text, at: place, hint: hint, cause: cause)
        case 595...599:
            return HLSError(
                .failed, text, at: place,
                hint: "pveproxy could not reach the node that owns this resource; this is usually "
                    + "transient (reads are retried): check that the node is up and try again",
                cause: cause)
        default:
            return HLSError(.failed, text, at: place, cause: cause)
        }
    }
}

/// The one place where Proxmox VE's unsuccessful statuses become `HLSError`s.
///
/// The message is PVE's text verbatim: for 400 the `message` and each `errors` field; for 401
/// the reason phrase from the status line (older PVE sends an empty body), with a hint about the
/// token or login; for 403 "Permission check failed (…)" with a hint about privilege
/// separation; for 500 and the rest the body's `message` or the reason phrase. The place is
/// `METHOD /path`: no query string, no secret.
public enum PVEErrorMapping {
    /// The error for an unsuccessful `response` to `method path`.
    public static func error(
        for response: HTTPResponse, method: String, path: String, usingToken: Bool = true
    ) -> HLSError {
        var failure = PVEAPIFailure(response: response, method: method, path: PVEClient.pathWithoutQuery(path))
        failure.usingToken = usingToken
        return failure.error()
    }
}

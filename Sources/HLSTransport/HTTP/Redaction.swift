/// Keeps credentials out of everything people and logs see: error messages and causes, trace
/// lines, `description`s. Everything the HTTP transport renders goes through here.
///
/// What counts as a secret: the values of `Authorization`, `Proxy-Authorization`, `Cookie`,
/// `Set-Cookie`, `CSRFPreventionToken` and any header whose name mentions a token, secret, password
/// or API key; `PVEAPIToken=…`, `PVEAuthCookie=…`, `Bearer …`, Proxmox tickets (`PVE:user@realm:…`),
/// `password=`/`ticket=`/`token=`-style parameters, the same keys in JSON objects, and the password
/// in a URL's user info. Redaction errs on the side of hiding too much.
public enum Redaction {
    /// What a secret is replaced with.
    public static let mask = "***"

    /// Header names whose values are always hidden (compared lowercased).
    static let sensitiveHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "csrfpreventiontoken",
    ]

    /// Whether a header's value must never be shown.
    public static func isSensitiveHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        if sensitiveHeaderNames.contains(lower) { return true }
        return ["token", "secret", "password", "passwd", "api-key", "apikey", "auth"].contains {
            lower.contains($0)
        }
    }

    /// The headers as `Name: value` lines for logs, sensitive values replaced by `***`.
    public static func render(_ headers: HTTPHeaders) -> String {
        headers.map { field in
            "\(field.name): \(isSensitiveHeader(field.name) ? mask : redact(field.value))"
        }.joined(separator: "\n")
    }

    /// `text` with every secret-looking value replaced by `***` (see the type's documentation).
    public static func redact(_ text: String) -> String {
        var out = text
        // JSON members: "password": "…", "CSRFPreventionToken": "…", "ticket": "…".
        out = out.replacing(
            /(?i)("(?:authorization|proxy-authorization|cookie|set-cookie|csrfpreventiontoken|password|passwd|ticket|token|access_token|refresh_token|id-token|id_token|secret|client-secret|client_secret|api[-_]?key)"\s*:\s*)"(?:[^"\\]|\\.)*"/
        ) { match in "\(match.output.1)\"\(mask)\"" }
        // Header lines: the rest of the line after a sensitive header name.
        out = out.replacing(
            /(?i)\b((?:proxy-)?authorization|set-cookie|cookie|csrfpreventiontoken)(\s*:[ \t]*)[^\r\n]*/
        ) { match in "\(match.output.1)\(match.output.2)\(mask)" }
        // Proxmox API tokens and ticket cookies wherever they appear.
        out = out.replacing(/(?i)\b(PVEAPIToken|PVEAuthCookie|PVEVNCAuthCookie)([=: ]\s*)[^\s"',;&]+/) { match in
            "\(match.output.1)\(match.output.2)\(mask)"
        }
        // Bearer tokens.
        out = out.replacing(/(?i)\b(Bearer)(\s+)[A-Za-z0-9\-._~+\/]+=*/) { match in
            "\(match.output.1)\(match.output.2)\(mask)"
        }
        // Proxmox tickets: PVE:user@realm:HEXTIME::signature (also PVEVNC:…).
        out = out.replacing(/PVE(?:VNC)?:[^\s:"']+:[0-9A-Fa-f]{8}::[A-Za-z0-9+\/=]+/) { _ in mask }
        // Query-string and form parameters.
        out = out.replacing(
            /(?i)(^|[^A-Za-z0-9_-])(password|passwd|ticket|token|access_token|secret|client_secret|api_key|apikey|csrfpreventiontoken)=[^&\s"',;]*/
        ) { match in "\(match.output.1)\(match.output.2)=\(mask)" }
        // user:password@ in URLs.
        out = out.replacing(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\/\s:@]+):[^\/\s@]*@/) { match in
            "\(match.output.1):\(mask)@"
        }
        return out
    }

    /// The URL as errors and logs show it: no password in the user info, secret-looking query
    /// parameters (`password=`, `ticket=`, `token=` …) masked. Other parameters stay, since they
    /// help to recognise the request.
    public static func redactURL(_ url: String) -> String { redact(url) }
}

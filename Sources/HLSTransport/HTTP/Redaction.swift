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
        // Non-ASCII text always goes through the rules: case folding there is not `lowercased()`'s.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let lower = text.lowercased()
            guard clues.contains(where: { lower.contains($0) }) else { return text }
        }
        var out = text
        for rule in rules { out = rule(out) }
        return out
    }

    /// Every match of a rule contains one of these (lowercased): ASCII text without any is
    /// returned as it is, without running the rules (most URLs: `redactURL` runs on every request).
    static let clues = [
        "auth", "cookie", "csrf", "token", "passw", "ticket", "secret", "apikey", "api-key", "api_key", "pve",
        "bearer", "@",
    ]

    /// The replacements `redact` makes, in order. A regex literal is parsed and compiled each
    /// time its expression is evaluated, so the patterns are made once, here: compiling them on
    /// every call cost 85 % of the CPU of a `kube apply` of 1,000 objects (`redactURL` runs on
    /// every request).
    private static let rules: [@Sendable (String) -> String] = [
        // JSON members: "password": "…", "CSRFPreventionToken": "…", "ticket": "…".
        rule(
            /(?i)("(?:authorization|proxy-authorization|cookie|set-cookie|csrfpreventiontoken|password|passwd|ticket|token|access_token|refresh_token|id-token|id_token|secret|client-secret|client_secret|api[-_]?key)"\s*:\s*)"(?:[^"\\]|\\.)*"/
        ) { "\($0.1)\"\(mask)\"" },
        // Header lines: the rest of the line after a sensitive header name.
        rule(/(?i)\b((?:proxy-)?authorization|set-cookie|cookie|csrfpreventiontoken)(\s*:[ \t]*)[^\r\n]*/) {
            "\($0.1)\($0.2)\(mask)"
        },
        // Proxmox API tokens and ticket cookies wherever they appear.
        rule(/(?i)\b(PVEAPIToken|PVEAuthCookie|PVEVNCAuthCookie)([=: ]\s*)[^\s"',;&]+/) {
            "\($0.1)\($0.2)\(mask)"
        },
        // Bearer tokens.
        rule(/(?i)\b(Bearer)(\s+)[A-Za-z0-9\-._~+\/]+=*/) { "\($0.1)\($0.2)\(mask)" },
        // Proxmox tickets: PVE:user@realm:HEXTIME::signature (also PVEVNC:…).
        rule(/PVE(?:VNC)?:[^\s:"']+:[0-9A-Fa-f]{8}::[A-Za-z0-9+\/=]+/) { _ in mask },
        // Query-string and form parameters.
        rule(
            /(?i)(^|[^A-Za-z0-9_-])(password|passwd|ticket|token|access_token|secret|client_secret|api_key|apikey|csrfpreventiontoken)=[^&\s"',;]*/
        ) { "\($0.1)\($0.2)=\(mask)" },
        // user:password@ in URLs.
        rule(/([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\/\s:@]+):[^\/\s@]*@/) { "\($0.1):\(mask)@" },
    ]

    /// One replacement: every match of `pattern` becomes what `replacement` makes of its output.
    private static func rule<Output>(
        _ pattern: Regex<Output>, _ replacement: @escaping @Sendable (Output) -> String
    ) -> @Sendable (String) -> String {
        nonisolated(unsafe) let pattern = pattern
        return { text in text.replacing(pattern) { replacement($0.output) } }
    }

    /// The URL as errors and logs show it: no password in the user info, secret-looking query
    /// parameters (`password=`, `ticket=`, `token=` …) masked. Other parameters stay, since they
    /// help to recognise the request.
    public static func redactURL(_ url: String) -> String { redact(url) }
}

/// The shapes secrets have in text someone typed or a tool echoed, wherever they stand in a line:
/// what keeps a line out of the REPL's history, and what is masked as `***` in the run log and in
/// error messages (docs/security.md, ADR 0062).
///
/// A shape is a well-known token format or a value after a name that says "secret":
/// - a Proxmox API token, `USER@REALM!TOKENID=UUID` (the form of `PROXMOX_VE_API_TOKEN`), and the
///   header form `PVEAPIToken=USER@REALM!TOKENID=SECRET`;
/// - GitHub tokens: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and `github_pat_` followed by their
///   random part;
/// - an age identity, `AGE-SECRET-KEY-1…`;
/// - a k3s join token, `K10<CA hash>::server:…`, `K10…::node:…` or `K10…::<id>.<secret>`, and
///   the short `::server:…` form;
/// - a PEM private key (`-----BEGIN … PRIVATE KEY-----` up to its END line) and a base64 PEM
///   (`LS0tLS1CRUdJTi…`, a kubeconfig's `client-key-data`);
/// - a `Bearer …` credential;
/// - the value of a flag whose name ends in token, password, passwd, secret or api-key
///   (`--token VALUE`, `--password=VALUE`, `--cloudflare-api-token VALUE`; `--token-file PATH`
///   is not one);
/// - the value of an assignment whose name ends so (`CLOUDFLARE_API_TOKEN=…`, `password=…`,
///   `client_secret=…`).
///
/// Near misses stay: an email address, a UUID alone, the word `ghp`, a `K10` without `::`, and a
/// placeholder after a name or flag (no lowercase letter, no digit: `TOKEN=USER@REALM!TOKENID=SECRET`
/// in a hint, `--password VALUE` in help).
public enum SecretShapes {
    /// What a masked secret reads as.
    public static let mask = "***"

    /// Whether `text` carries a secret of one of the shapes.
    public static func contains(_ text: String) -> Bool { !spans(in: text).isEmpty }

    /// `text` with the secret part of each shape replaced by `***` (a PVE token keeps its
    /// `USER@REALM!TOKENID=`, a flag its name; a token with no such prefix goes whole).
    public static func masked(_ text: String) -> String {
        let found = spans(in: text)
        guard !found.isEmpty else { return text }
        var out = ""
        var at = text.startIndex
        for span in found {
            out += text[at..<span.lowerBound]
            out += mask
            at = span.upperBound
        }
        out += text[at...]
        return out
    }

    /// The ranges of `text` that hold secrets, in order and not overlapping.
    public static func spans(in text: String) -> [Range<String.Index>] {
        guard mayHoldOne(text) else { return [] }
        var found: [Range<String.Index>] = []
        for shape in shapes {
            for match in text.matches(of: shape) {
                let range = match.output["secret"]?.range ?? match.range
                if !range.isEmpty { found.append(range) }
            }
        }
        found.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<String.Index>] = []
        for range in found {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// A cheap look for a piece every shape has, so that text with none (nearly every error
    /// line, every log field) costs no regular expression.
    static func mayHoldOne(_ text: String) -> Bool {
        let lower = text.lowercased()
        return triggers.contains { lower.contains($0) }
    }

    private static let triggers = [
        "@", "gh", "github_pat_", "age-secret-key-", "::", "private key", "ls0tls1crudjti", "bearer", "token", "passw",
        "secret", "api-key", "apikey", "api_key",
    ]

    /// The shapes; a match's `secret` group, when it has one, is the part to mask. Made per call:
    /// `Regex` is not `Sendable`, and only text that passed `mayHoldOne` gets here.
    private static var shapes: [Regex<AnyRegexOutput>] {
        [
            // Proxmox: USER@REALM!TOKENID=UUID, and the Authorization header's PVEAPIToken=…=SECRET.
            Regex(
                #/[\w.-]+@[\w.-]+![\w.-]+=(?<secret>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/#
            ),
            Regex(#/(?i:pveapitoken)=[^\s'"=]+=(?<secret>(?=[^\s'"]*[a-z0-9])[^\s'"]+)/#),
            // GitHub: classic (36 random characters) and fine-grained (github_pat_…).
            Regex(#/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/#),
            // age identity.
            Regex(#/AGE-SECRET-KEY-1[0-9A-Za-z]+/#),
            // k3s: K10<hash>::server:PASSWORD, ::node:…, ::ID.SECRET; and the short ::server:/::node: form.
            Regex(#/K10[0-9a-fA-F]*::[^\s'"]+/#),
            Regex(#/::(?:server|node):(?<secret>[^\s'"]+)/#),
            // PEM private keys, to their END line (or the end of the text), and base64 PEM.
            Regex(#/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/#),
            Regex(#/LS0tLS1CRUdJTi[A-Za-z0-9+\/=]*/#),
            // An HTTP bearer credential (a JWT, an API token: long, so "bearer token" stays).
            Regex(#/(?i:bearer)\s+(?<secret>[A-Za-z0-9._~+\/=-]{16,})/#),
            // A flag named for a secret, its value after a space or `=`, quoted or not.
            Regex(
                #/--(?:[A-Za-z0-9]+[-_])*(?i:token|password|passwd|secret|api-key|apikey)(?:=|\s+)(?<secret>(?=\S*[a-z0-9])(?:"[^"]*"|'[^']*'|[^\s'"-][^\s]*))/#
            ),
            // An assignment to a name that says secret: CLOUDFLARE_API_TOKEN=…, password=…
            Regex(
                #/[A-Za-z0-9_]*(?i:token|password|passwd|secret|api_key|apikey)=(?<secret>(?=\S*[a-z0-9])(?:"[^"]*"|'[^']*'|[^\s'"]+))/#
            ),
        ]
    }
}

extension Document {
    /// This document with every string (keys too) passed through `SecretShapes.masked`.
    public var secretsMasked: Document {
        switch self {
        case .string(let text): return .string(SecretShapes.masked(text))
        case .array(let items): return .array(items.map(\.secretsMasked))
        case .object(let pairs):
            return .object(pairs.map { (key: SecretShapes.masked($0.key), value: $0.value.secretsMasked) })
        case .null, .bool, .int, .double: return self
        }
    }
}

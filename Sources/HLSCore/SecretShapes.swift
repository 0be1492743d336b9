import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
        // ASCII-lowercased, NUL-terminated, for strstr: every piece a shape needs is ASCII.
        var lower = text.utf8.map { CChar(bitPattern: $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) }
        lower.append(0)
        let candidates = lower.withUnsafeBufferPointer { bytes in
            catalogue.indices.filter { catalogue[$0].mayMatch(bytes.baseAddress!) }
        }
        guard !candidates.isEmpty else { return [] }
        var found = compiled.withLock { cache in
            var found: [Range<String.Index>] = []
            for index in candidates {
                let regex = cache[index] ?? catalogue[index].make()
                cache[index] = regex
                for match in text.matches(of: regex) {
                    let range = match.output["secret"]?.range ?? match.range
                    if !range.isEmpty { found.append(range) }
                }
            }
            return found
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

    /// One shape: the pieces its text must hold (cheap substring looks on the lowercased text,
    /// so that text with none, nearly every error line and log field, costs no regular
    /// expression), and its expression, whose `secret` group, when it has one, is the part to
    /// mask.
    private struct Shape: Sendable {
        /// Every one of these…
        var all: [String]
        /// …and one of these, when there are any.
        var any: [String] = []
        var make: @Sendable () -> Regex<AnyRegexOutput>

        func mayMatch(_ lower: UnsafePointer<CChar>) -> Bool {
            all.allSatisfy { strstr(lower, $0) != nil } && (any.isEmpty || any.contains { strstr(lower, $0) != nil })
        }
    }

    /// The expressions, each made on first use and kept; matched under the lock, as `Regex` is
    /// not `Sendable` (one made per call cost about 2 ms a line: 10 s for a 5,000-line history).
    private static let compiled = Mutex<[Int: Regex<AnyRegexOutput>]>([:])

    private static let secretNames = ["token", "passw", "secret", "api-key", "apikey", "api_key"]

    private static let catalogue: [Shape] = [
        // Proxmox: USER@REALM!TOKENID=UUID, and the Authorization header's PVEAPIToken=…=SECRET.
        Shape(all: ["@", "!", "="]) {
            Regex(
                #/[\w.-]+@[\w.-]+![\w.-]+=(?<secret>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/#
            )
        },
        Shape(all: ["pveapitoken="]) { Regex(#/(?i:pveapitoken)=[^\s'"=]+=(?<secret>(?=[^\s'"]*[a-z0-9])[^\s'"]+)/#) },
        // GitHub: classic (36 random characters) and fine-grained (github_pat_…).
        Shape(all: [], any: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]) {
            Regex(#/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/#)
        },
        // age identity.
        Shape(all: ["age-secret-key-1"]) { Regex(#/AGE-SECRET-KEY-1[0-9A-Za-z]+/#) },
        // k3s: K10<hash>::server:PASSWORD, ::node:…, ::ID.SECRET; and the short ::server:/::node: form.
        Shape(all: ["k10", "::"]) { Regex(#/K10[0-9a-fA-F]*::[^\s'"]+/#) },
        Shape(all: [], any: ["::server:", "::node:"]) { Regex(#/::(?:server|node):(?<secret>[^\s'"]+)/#) },
        // PEM private keys, to their END line (or the end of the text), and base64 PEM.
        Shape(all: ["private key-----"]) {
            Regex(#/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/#)
        },
        Shape(all: ["ls0tls1crudjti"]) { Regex(#/LS0tLS1CRUdJTi[A-Za-z0-9+\/=]*/#) },
        // An HTTP bearer credential (a JWT, an API token: long, so "bearer token" stays).
        Shape(all: ["bearer"]) { Regex(#/(?i:bearer)\s+(?<secret>[A-Za-z0-9._~+\/=-]{16,})/#) },
        // A flag named for a secret, its value after a space or `=`, quoted or not; a value with no
        // lowercase letter and no digit is a placeholder (`--password VALUE` in help).
        Shape(all: ["--"], any: secretNames) {
            Regex(
                #/--(?:[A-Za-z0-9]+[-_])*(?i:token|password|passwd|secret|api-key|apikey)(?:=|\s+)(?<secret>(?=\S*[a-z0-9])(?:"[^"]*"|'[^']*'|[^\s'"-][^\s]*))/#
            )
        },
        // An assignment to a name that says secret: CLOUDFLARE_API_TOKEN=…, password=…
        Shape(all: ["="], any: secretNames) {
            Regex(
                #/[A-Za-z0-9_]*(?i:token|password|passwd|secret|api_key|apikey)=(?<secret>(?=\S*[a-z0-9])(?:"[^"]*"|'[^']*'|[^\s'"]+))/#
            )
        },
    ]
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

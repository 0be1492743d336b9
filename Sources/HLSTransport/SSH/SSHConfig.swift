public import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An OpenSSH client config (`~/.ssh/config`, ssh_config(5)), read so that a homelab user's
/// existing aliases work in hlsh as they do in `ssh`.
///
/// Understood: `Host` blocks (patterns with `*`, `?` and `!negation`, several per line,
/// matched case-insensitively against the alias), `Include` (relative to `~/.ssh`, globs,
/// nested up to 16 deep), `Key Value` and `Key=Value`, quoted values, `#` comments, and the
/// keywords of `SSHHostSettings`. For each keyword the first value obtained wins, except
/// `IdentityFile`, which accumulates. Unknown keywords are ignored; `Match` blocks (other than
/// `Match all`) are skipped with a warning. A bad value (a port that is not a number, say) is
/// an error at `file:line`, even in a block that would not apply, as in OpenSSH.
public struct SSHConfig: Sendable {
    /// Something in the file hlsh did not act on, kept for the caller to show.
    public struct Warning: Sendable, Hashable, CustomStringConvertible {
        public var place: SourceLocation
        public var message: String
        public var description: String { "\(place): warning: \(message)" }
    }

    public private(set) var warnings: [Warning] = []
    private var entries: [Entry] = []

    /// An empty config: every host resolves to no settings.
    public init() {}

    /// Reads the config at `path` (a missing file is an empty config). `home` is the local
    /// home directory for `~` and for relative `Include`s (`home/.ssh/…`).
    public static func load(path: String, home: String) throws(HLSError) -> SSHConfig {
        guard FileManager.default.fileExists(atPath: path) else { return SSHConfig() }
        var config = SSHConfig()
        config.entries = try Reader(home: home).read(file: path, depth: 0, warnings: &config.warnings)
        return config
    }

    /// Parses config `text` as if read from `file` (for tests and for configs handed over
    /// in memory). Includes are read from disk.
    public static func parse(_ text: String, file: String, home: String) throws(HLSError) -> SSHConfig {
        var config = SSHConfig()
        config.entries = try Reader(home: home).parse(text, file: file, depth: 0, warnings: &config.warnings)
        return config
    }

    /// The settings for `alias` (the name as the user typed it): the first value of each
    /// keyword from the blocks that match, in file order. `%h` in `HostName` becomes the alias.
    public func resolve(alias: String) -> SSHHostSettings {
        var settings = SSHHostSettings()
        var active = true
        Self.apply(entries, alias: alias.lowercased(), active: &active, neverMatch: false, to: &settings)
        if let name = settings.hostName {
            settings.hostName = SSHConfigTokens.expand(name, ["h": alias])
        }
        return settings
    }

    private static func apply(
        _ entries: [Entry], alias: String, active: inout Bool, neverMatch: Bool, to settings: inout SSHHostSettings
    ) {
        for entry in entries {
            switch entry {
            case .host(let patterns):
                active = !neverMatch && SSHHostPattern.matches(alias, patterns)
            case .match(let all):
                active = !neverMatch && all
            case .option(let option):
                if active { option.apply(to: &settings) }
            case .include(let nested):
                // OpenSSH: an included file starts in the includer's state; its Host lines can
                // only match when the Include itself was in an active block.
                let saved = active
                Self.apply(nested, alias: alias, active: &active, neverMatch: neverMatch || !saved, to: &settings)
                active = saved
            }
        }
    }

    /// One line that matters, parsed and checked at load time.
    enum Entry: Sendable {
        case host([String])
        /// A `Match` line; true for `Match all`, the only criterion hlsh evaluates.
        case match(all: Bool)
        case option(Option)
        case include([Entry])
    }

    /// A keyword with its checked value.
    enum Option: Sendable {
        case hostName(String)
        case user(String)
        case port(UInt16)
        case identityFile(String)
        case identitiesOnly(Bool)
        case proxyJump([String])
        case userKnownHostsFiles([String])
        case strictHostKeyChecking(SSHStrictHostKeyChecking)
        case connectTimeout(Duration)
        case serverAliveInterval(Duration)
        case serverAliveCountMax(Int)
        case identityAgent(String)

        /// Sets the field unless an earlier line already did (`IdentityFile` accumulates).
        func apply(to s: inout SSHHostSettings) {
            switch self {
            case .hostName(let v): if s.hostName == nil { s.hostName = v }
            case .user(let v): if s.user == nil { s.user = v }
            case .port(let v): if s.port == nil { s.port = v }
            case .identityFile(let v): s.identityFiles.append(v)
            case .identitiesOnly(let v): if s.identitiesOnly == nil { s.identitiesOnly = v }
            case .proxyJump(let v): if s.proxyJump == nil { s.proxyJump = v }
            case .userKnownHostsFiles(let v): if s.userKnownHostsFiles == nil { s.userKnownHostsFiles = v }
            case .strictHostKeyChecking(let v): if s.strictHostKeyChecking == nil { s.strictHostKeyChecking = v }
            case .connectTimeout(let v): if s.connectTimeout == nil { s.connectTimeout = v }
            case .serverAliveInterval(let v): if s.serverAliveInterval == nil { s.serverAliveInterval = v }
            case .serverAliveCountMax(let v): if s.serverAliveCountMax == nil { s.serverAliveCountMax = v }
            case .identityAgent(let v): if s.identityAgent == nil { s.identityAgent = v }
            }
        }
    }
}

/// ssh_config's host patterns: `*` (any run), `?` (one character), `!` negation.
enum SSHHostPattern {
    /// Whether `host` (lowercased) matches the `Host` line's `patterns`: some positive pattern
    /// matches and no negated one does.
    static func matches(_ host: String, _ patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if glob(Array(host), Array(pattern.dropFirst().lowercased())) { return false }
            } else if glob(Array(host), Array(pattern.lowercased())) {
                matched = true
            }
        }
        return matched
    }

    /// `*` and `?` matching, iterative with one backtrack point (linear for these patterns).
    static func glob(_ text: [Character], _ pattern: [Character]) -> Bool {
        var t = 0
        var p = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                t += 1
                p += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let s = star {
                p = s + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

/// `%` tokens and `~` in ssh_config paths.
enum SSHConfigTokens {
    /// Tokens `IdentityFile` and `UserKnownHostsFile` may hold: `%h` remote host name, `%p`
    /// port, `%r` remote user, `%u` local user, `%d` local home, `%n` the alias, `%l` local
    /// host name, `%i` local uid, `%%` a percent sign.
    static let pathTokens: Set<Character> = ["h", "p", "r", "u", "d", "n", "l", "i", "%"]

    /// Replaces `%x` by `values[x]` and `%%` by `%`; unknown tokens stay as they are (the
    /// reader rejects them at load time).
    static func expand(_ text: String, _ values: [Character: String]) -> String {
        guard text.contains("%") else { return text }
        var out = ""
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            guard c == "%" else {
                out.append(c)
                continue
            }
            guard let token = iterator.next() else {
                out.append("%")
                break
            }
            if token == "%" {
                out.append("%")
            } else if let value = values[token] {
                out += value
            } else {
                out += "%\(token)"
            }
        }
        return out
    }

    /// The first token in `text` outside `allowed`, if any.
    static func unknownToken(in text: String, allowed: Set<Character>) -> Character? {
        var iterator = text.makeIterator()
        while let c = iterator.next() {
            guard c == "%" else { continue }
            guard let token = iterator.next() else { return "%" }
            if !allowed.contains(token) { return token }
        }
        return nil
    }

    /// `~` and `~/…` become `home`, `home/…`.
    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }
}

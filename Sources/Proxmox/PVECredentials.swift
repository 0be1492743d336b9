public import HLSCore

/// How hlsh logs in to Proxmox VE. Prints without secrets.
public enum PVECredentials: Sendable, Hashable, CustomStringConvertible {
    /// An API token: stateless, sent as `Authorization: PVEAPIToken=…` on every request.
    case apiToken(PVEAPIToken)
    /// A user and password traded for a ticket at `POST /access/ticket`.
    case password(PVEUserPassword)

    public var description: String {
        switch self {
        case .apiToken(let token): return "API token \(token)"
        case .password(let login): return "password login \(login)"
        }
    }
}

/// `USER@REALM!TOKENID` with its secret (a UUID). Prints as `USER@REALM!TOKENID=***`.
public struct PVEAPIToken: Sendable, Hashable, CustomStringConvertible {
    /// `root@pam`
    public let user: String
    /// `hlsh`
    public let tokenName: String
    public let secret: PVESecret

    public init(user: String, tokenName: String, secret: PVESecret) {
        self.user = user
        self.tokenName = tokenName
        self.secret = secret
    }

    /// Reads `USER@REALM!TOKENID=SECRET` (bpg's `PROXMOX_VE_API_TOKEN`); a leading
    /// `PVEAPIToken=` (the header form) is accepted too. The error never shows the secret.
    public init(parsing text: String, source: String = "PROXMOX_VE_API_TOKEN") throws(HLSError) {
        var rest = Substring(text.trimmingWhitespace())
        if rest.lowercased().hasPrefix("pveapitoken=") { rest = rest.dropFirst("PVEAPIToken=".count) }
        let bad = HLSError(
            .configuration, "\(source) is not an API token",
            hint: "it must look like USER@REALM!TOKENID=SECRET, e.g. root@pam!hlsh=xxxxxxxx-xxxx-…")
        guard let equals = rest.firstIndex(of: "=") else { throw bad }
        let id = rest[..<equals]
        let secret = String(rest[rest.index(after: equals)...])
        guard let bang = id.firstIndex(of: "!") else { throw bad }
        let user = String(id[..<bang])
        let name = String(id[id.index(after: bang)...])
        guard user.contains("@"), !user.hasPrefix("@"), !user.hasSuffix("@"), !name.isEmpty, !secret.isEmpty,
            !secret.contains(where: \.isWhitespace)
        else { throw bad }
        self.init(user: user, tokenName: name, secret: PVESecret(secret))
    }

    /// `root@pam!hlsh`
    public var tokenID: String { "\(user)!\(tokenName)" }

    /// The `Authorization` header's value.
    var headerValue: String { "PVEAPIToken=\(tokenID)=\(secret.value)" }

    public var description: String { "\(tokenID)=***" }
}

/// A `USER@REALM` and password for ticket login. Prints as `USER@REALM`.
public struct PVEUserPassword: Sendable, Hashable, CustomStringConvertible {
    /// `root@pam`
    public let username: String
    public let password: PVESecret

    /// Refuses a user without a realm (`root` instead of `root@pam`): PVE would need a separate
    /// realm, and guessing `pam` could log in somewhere unintended.
    public init(username: String, password: PVESecret, source: String = "PROXMOX_VE_USERNAME") throws(HLSError) {
        let user = username.trimmingWhitespace()
        guard let at = user.firstIndex(of: "@"), at != user.startIndex, user.index(after: at) != user.endIndex else {
            throw HLSError(
                .configuration, "\(source) must name the user with its realm, e.g. root@pam (got '\(user)')")
        }
        guard !password.isEmpty else {
            throw HLSError(.configuration, "the password for \(user) is empty", hint: "set PROXMOX_VE_PASSWORD")
        }
        self.username = user
        self.password = password
    }

    public var description: String { username }
}

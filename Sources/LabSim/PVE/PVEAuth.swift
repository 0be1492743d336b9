import HLSCore
import HLSCrypto

/// Users, API tokens, tickets, CSRF tokens and ACLs, after pve-access-control. Immutable after
/// creation (the signing secret is made once), hence `Sendable` without a lock.
///
/// Tickets have PVE's shape `PVE:USER:HEXTIME::SIGNATURE` (signed here with HMAC-SHA-256 instead
/// of PVE's RSA key); CSRF tokens are `HEXTIME:SIGNATURE` bound to the user.
struct PVEAuth: Sendable {
    let users: [String: PVESimulatorConfig.User]
    let tokens: [String: PVESimulatorConfig.Token]
    let ticketLifetime: Double
    private let ticketSecret: [UInt8]
    private let csrfSecret: [UInt8]

    init(config: PVESimulatorConfig) {
        users = Dictionary(config.users.map { ($0.userid, $0) }, uniquingKeysWith: { a, _ in a })
        tokens = Dictionary(config.tokens.map { ($0.tokenID, $0) }, uniquingKeysWith: { a, _ in a })
        ticketLifetime = config.ticketLifetime
        ticketSecret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        csrfSecret = (0..<32).map { _ in UInt8.random(in: 0...255) }
    }

    // MARK: Tickets

    func makeTicket(user: String, now: Double) -> String {
        let plain = "PVE:\(FormDecoding.percentEncodeColon(user)):\(UPID.hex8(Int(now)))"
        return plain + "::" + Base64.encode(SHA.hmacSHA256(key: ticketSecret, message: Array(plain.utf8)))
    }

    /// The user a ticket belongs to, or nil if it is forged, malformed or expired.
    func verifyTicket(_ ticket: String, now: Double) -> String? {
        guard let sep = ticket.firstRange(of: "::") else { return nil }
        let plain = String(ticket[..<sep.lowerBound])
        let signature = String(ticket[sep.upperBound...])
        guard plain.hasPrefix("PVE:"), !signature.isEmpty,
            Base64.encode(SHA.hmacSHA256(key: ticketSecret, message: Array(plain.utf8))) == signature
        else { return nil }
        let fields = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let time = Int(fields[2], radix: 16) else { return nil }
        let age = now - Double(time)
        guard age > -300, age < ticketLifetime else { return nil }
        let user = FormDecoding.percentDecode(String(fields[1]))
        return users[user] == nil ? nil : user
    }

    func makeCSRFToken(user: String, now: Double) -> String {
        let stamp = UPID.hex8(Int(now))
        return stamp + ":"
            + Base64.encode(SHA.hmacSHA256(key: csrfSecret, message: Array("\(stamp):\(user)".utf8)), padded: false)
    }

    func verifyCSRFToken(_ token: String?, user: String, now: Double) -> Bool {
        guard let token, let colon = token.firstIndex(of: ":") else { return false }
        let stamp = String(token[..<colon])
        guard stamp.count == 8, let time = Int(stamp, radix: 16) else { return false }
        let expected = Base64.encode(
            SHA.hmacSHA256(key: csrfSecret, message: Array("\(stamp):\(user)".utf8)), padded: false)
        let age = now - Double(time)
        return String(token[token.index(after: colon)...]) == expected && age > -300 && age < ticketLifetime
    }

    // MARK: Tokens

    enum TokenFailure: Error {
        case failed(String)
    }

    /// `verify_token`: `USER@REALM!NAME=SECRET` → the token ID, or the reason PVE would give.
    func verifyToken(_ value: String) -> Result<String, TokenFailure> {
        guard let eq = value.lastIndex(of: "=") else { return .failure(.failed("no tokenid specified")) }
        let tokenID = String(value[..<eq])
        let secret = String(value[value.index(after: eq)...])
        guard let bang = tokenID.firstIndex(of: "!") else {
            return .failure(.failed("'\(tokenID)' is not a valid token ID"))
        }
        let user = String(tokenID[..<bang])
        let name = String(tokenID[tokenID.index(after: bang)...])
        guard users[user] != nil else { return .failure(.failed("no such user ('\(user)')")) }
        guard let token = tokens[tokenID] else {
            return .failure(.failed("no such token '\(name)' for user '\(user)'"))
        }
        guard token.secret == secret else { return .failure(.failed("invalid token value!")) }
        return .success(tokenID)
    }

    // MARK: Privileges

    /// The privileges `authid` (a user or `USER!TOKEN`) holds on `path`: ACLs on the path and
    /// every parent path propagate down. `root@pam` holds everything, everywhere.
    func privileges(of authid: String, on path: String) -> Set<String> {
        if let bang = authid.firstIndex(of: "!") {
            let user = String(authid[..<bang])
            let userPrivs = privileges(of: user, on: path)
            guard let token = tokens[authid] else { return [] }
            if !token.privilegeSeparation { return userPrivs }
            return userPrivs.intersection(Self.collect(token.privileges, path: path))
        }
        if authid == "root@pam" { return Set(PVEPrivileges.all) }
        guard let user = users[authid] else { return [] }
        return Self.collect(user.privileges, path: path)
    }

    private static func collect(_ acl: [String: [String]], path: String) -> Set<String> {
        var result = Set<String>()
        var prefixes = ["/"]
        var current = ""
        for segment in path.split(separator: "/") {
            current += "/\(segment)"
            prefixes.append(current)
        }
        for prefix in prefixes { result.formUnion(acl[prefix] ?? []) }
        return result
    }

    /// `$rpcenv->check` / `check_any`: throws PVE's 403 when the privileges are missing.
    func check(_ authid: String, _ path: String, _ privs: [String], any: Bool = false) throws(PVEError) {
        let have = privileges(of: authid, on: path)
        if any {
            if privs.contains(where: have.contains) { return }
            throw PVEError.permission("\(path), \(privs.joined(separator: "|"))")
        }
        for priv in privs where !have.contains(priv) {
            throw PVEError.permission("\(path), \(priv)")
        }
    }

    func has(_ authid: String, _ path: String, _ priv: String) -> Bool {
        privileges(of: authid, on: path).contains(priv)
    }

    /// `compute_api_permission`: the `cap` object of a login, privileges per area.
    func capabilities(of user: String) -> [(key: String, value: [String])] {
        let areas: [(String, String, [String])] = [
            ("vms", "/vms", ["VM."]), ("storage", "/storage", ["Datastore."]),
            ("access", "/access", ["User.", "Group.", "Realm.", "Permissions."]), ("nodes", "/nodes", ["Sys."]),
            ("dc", "/", ["Sys.Audit", "Sys.Modify", "SDN."]), ("sdn", "/sdn", ["SDN."]),
            ("mapping", "/mapping", ["Mapping."]),
        ]
        return areas.map { name, path, prefixes in
            let privs = privileges(of: user, on: path).filter { p in prefixes.contains { p.hasPrefix($0) } }.sorted()
            return (name, privs)
        }
    }
}

extension FormDecoding {
    /// PVE escapes only `:` in the user part of a ticket.
    static func percentEncodeColon(_ s: String) -> String {
        s.split(separator: ":", omittingEmptySubsequences: false).joined(separator: "%3A")
    }
}

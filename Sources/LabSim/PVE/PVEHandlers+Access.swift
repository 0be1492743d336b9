import HLSCore

/// `POST /access/ticket`: log in with a password, or renew by posting a valid ticket as the
/// password. Any failure is the same 401 "authentication failure" (no user enumeration).
extension PVEHandlers {
    static func createTicket(_ call: PVECall) throws(PVEError) -> PVEResult {
        var username = call.string("username") ?? ""
        if let realm = call.string("realm"), !realm.isEmpty { username += "@\(realm)" }
        let password = call.string("password") ?? ""
        let auth = call.api.auth
        let failure = PVEError(status: 401, "authentication failure\n")
        guard auth.users[username] != nil else { throw failure }
        if let ticketUser = auth.verifyTicket(password, now: call.now),
            ticketUser == username || ticketUser == "root@pam"
        {
            // renewal (root@pam may create tickets for others)
        } else if auth.users[username]?.password != password {
            throw failure
        }
        if let path = call.string("path"), let privs = call.string("privs") {
            let wanted = PVESchema.splitList(privs)
            guard wanted.allSatisfy({ auth.has(username, path, $0) }) else { throw failure }
            return PVEResult(obj([("username", .string(username))]))
        }
        let cap = Document.object(
            auth.capabilities(of: username).map { area in
                (area.key, Document.object(area.value.map { ($0, .int(1)) }))
            })
        var pairs: [(String, Document?)] = [
            ("username", .string(username)), ("ticket", .string(auth.makeTicket(user: username, now: call.now))),
            ("CSRFPreventionToken", .string(auth.makeCSRFToken(user: username, now: call.now))), ("cap", cap),
        ]
        if auth.has(username, "/", "Sys.Audit") { pairs.append(("clustername", .string(call.api.config.clusterName))) }
        return PVEResult(obj(pairs))
    }
}

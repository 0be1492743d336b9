internal import CSSH2
import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SSHSessionIO {
    /// Logs in as `user` with public keys, like OpenSSH: first the agent's keys (those that
    /// match an identity file first; with `identitiesOnly`, only those), then the identity
    /// files not already offered through the agent. Each refused key costs one of the server's
    /// `MaxAuthTries`, so keys are never offered twice and a passphrase-protected file without
    /// a passphrase is not offered at all. Fails with one error that names `user@host:port`
    /// and lists every key tried and why each did not work.
    func authenticate(
        user: String, options: SSHConnectOptions, deadline: Deadline, cancellation: Cancellation
    ) throws(HLSError) {
        let activity = "authenticating"
        // Asking for the methods sends a "none" request, which a server may simply accept.
        let methods: String = try callReturningPointer(activity, deadline: deadline, cancellation: cancellation) {
            () -> String? in
            if let list = libssh2_userauth_list(session, user, UInt32(user.utf8.count)) { return String(cString: list) }
            return libssh2_userauth_authenticated(session) != 0 ? "" : nil
        }
        if libssh2_userauth_authenticated(session) != 0 { return }

        let failed = "authentication failed for \(endpoint)"
        let place = Place.host(endpoint.description)
        guard methods.split(separator: ",").contains("publickey") else {
            throw HLSError(
                .failed, failed, at: place,
                hint: "the server does not accept public keys (it offers: \(methods.isEmpty ? "nothing" : methods))")
        }

        var tried: [String] = []
        /// Ends the login when the server hung up (most often: MaxAuthTries reached).
        func checkLoss(_ rc: Int32) throws(HLSError) {
            guard LibSSH2Error.isConnectionLoss(rc) else { return }
            if tried.isEmpty { throw failure(rc, while: activity) }
            _ = failure(rc, while: activity)
            throw HLSError(
                .failed, failed, at: place,
                hint: "tried \(tried.joined(separator: ", ")); then the server closed the connection "
                    + "(too many keys offered? see MaxAuthTries; IdentitiesOnly yes with an IdentityFile "
                    + "limits the keys offered)")
        }

        let files = options.identities.map { ($0, SSHKeyFile(identity: $0)) }
        var offeredBlobs: [[UInt8]] = []
        if let socketPath = options.agentSocket {
            switch SSHAgent.connect(io: self, socketPath: socketPath) {
            case .failure(let unavailable):
                tried.append("no agent keys (\(unavailable.reason))")
            case .success(let agent):
                defer { agent.close() }
                let held = agent.identities()
                let wanted = files.compactMap(\.1.publicBlob)
                let matching = wanted.compactMap { blob in held.first { $0.blob == blob } }
                let others = options.identitiesOnly ? [] : held.filter { key in !wanted.contains(key.blob) }
                for key in matching + others {
                    let rc = try agent.authenticate(
                        user: user, with: key, deadline: deadline, cancellation: cancellation)
                    if rc == 0 { return }
                    offeredBlobs.append(key.blob)
                    try checkLoss(rc)
                    tried.append("\(key.label) (refused by the server)")
                }
                if held.isEmpty { tried.append("no agent keys (the agent at \(socketPath) holds none)") }
            }
        }

        for (identity, info) in files {
            let key = identity.privateKeyPath
            if let blob = info.publicBlob, offeredBlobs.contains(blob) { continue }
            guard FileManager.default.fileExists(atPath: key) else {
                tried.append("\(key) (no such file)")
                continue
            }
            if info.isEncrypted && identity.passphrase == nil {
                tried.append("\(key) (protected by a passphrase: add it to your ssh-agent with `ssh-add \(key)`)")
                continue
            }
            var rc: Int32
            repeat {
                rc = hlsh_ssh2_userauth_publickey_fromfile(
                    session, user, identity.publicKeyPath, key, identity.passphrase)
                if rc == LIBSSH2_ERROR_EAGAIN { try wait(activity, deadline: deadline, cancellation: cancellation) }
            } while rc == LIBSSH2_ERROR_EAGAIN
            switch rc {
            case 0:
                return
            case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
                tried.append("\(key) (refused by the server)")
            case _ where LibSSH2Error.isConnectionLoss(rc):
                try checkLoss(rc)
            default:
                let text = lastErrorText
                tried.append("\(key) (unusable: \(text.isEmpty ? LibSSH2Error.name(rc) : text))")
            }
        }
        let what =
            tried.isEmpty
            ? "no identity files were given and no ssh-agent was available"
            : "tried \(tried.joined(separator: ", "))"
                + (options.agentSocket == nil
                    ? "; no ssh-agent was asked (SSH_AUTH_SOCK is not set, or IdentityAgent is none)" : "")
        // A server counts every refused key against MaxAuthTries and refuses the rest once it
        // is reached, even the right one (OpenSSH sends no reason).
        let refused = tried.filter { $0.hasSuffix("(refused by the server)") }.count
        let limit =
            refused > 1
            ? "; if one of them is authorized, the server's MaxAuthTries was reached first: name the key with "
                + "IdentityFile and set IdentitiesOnly yes for this host" : ""
        throw HLSError(
            .failed, failed, at: place,
            hint: "\(what); the public key must be in ~/.ssh/authorized_keys of \(user) on the host\(limit)")
    }
}

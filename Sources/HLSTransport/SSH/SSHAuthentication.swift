internal import CSSH2
import Foundation
import HLSCore

extension SSHSessionIO {
    /// Logs in as `user` with the first of `identities` the server accepts, trying them in
    /// order. Fails with one error that lists every key tried and why each did not work.
    func authenticate(
        user: String, identities: [SSHIdentity], deadline: SSHDeadline, cancellation: Cancellation
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
        for identity in identities {
            let key = identity.privateKeyPath
            guard FileManager.default.fileExists(atPath: key) else {
                tried.append("\(key) (no such file)")
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
                if tried.isEmpty { throw failure(rc, while: activity) }
                _ = failure(rc, while: activity)
                throw HLSError(
                    .failed, failed, at: place,
                    hint: "tried \(tried.joined(separator: ", ")); then the server closed the connection "
                        + "(too many keys offered? see MaxAuthTries)")
            default:
                let text = lastErrorText
                tried.append("\(key) (unusable: \(text.isEmpty ? LibSSH2Error.name(rc) : text))")
            }
        }
        let what = tried.isEmpty ? "no identity files were given" : "tried \(tried.joined(separator: ", "))"
        throw HLSError(
            .failed, failed, at: place,
            hint: "\(what); the public key must be in ~/.ssh/authorized_keys of \(user) on the host")
    }
}

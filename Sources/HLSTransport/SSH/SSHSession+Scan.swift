internal import CSSH2
public import HLSCore

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension SSHSession {
    /// The host key `endpoint` presents in the handshake, as `ssh-keyscan` reads it: no
    /// known_hosts check and no login, the connection closed right after.
    public static func scanHostKey(
        _ endpoint: SSHEndpoint, timeout: Duration = .seconds(15), cancellation: Cancellation = .never
    ) throws(HLSError) -> SSHHostKey {
        guard LibSSH2.ensureInitialized() else {
            throw HLSError(.failed, "cannot initialize libssh2", at: .host(endpoint.description))
        }
        let deadline = Deadline(after: timeout)
        let socket = try SSHTCPConnect.open(endpoint, deadline: deadline, cancellation: cancellation)
        guard let session = hlsh_ssh2_session_init() else {
            _ = Glibc.close(socket)
            throw HLSError(.failed, "cannot create an SSH session (out of memory?)", at: .host(endpoint.description))
        }
        libssh2_session_set_blocking(session, 0)
        let io = SSHSessionIO(session: session, socket: socket, endpoint: endpoint)
        defer { teardown(io) }
        try io.call("negotiating SSH", deadline: deadline, cancellation: cancellation) {
            libssh2_session_handshake(session, socket)
        }
        return try presentedHostKey(io).0
    }
}

extension SSHHostKey {
    /// The known_hosts line for `host` (`[host]:port` off port 22): `github.com ecdsa-sha2-nistp256 AAAA…`.
    public func knownHostsLine(host: String, port: UInt16 = 22) -> String {
        "\(port == 22 ? host : "[\(host)]:\(port)") \(typeName) \(Data(blob).base64EncodedString())"
    }
}

extension SSHHostKey {
    /// Refuses this key, read by a scan, when a known_hosts file records another key for the host
    /// (or revokes this one) under the name of any of `endpoints`, as a connection would refuse
    /// it (`HOST KEY OF … HAS CHANGED`, naming the file's line); a host none of `files` records
    /// passes, which is what a scan is for.
    public func checkRecorded(in files: [String], for endpoints: [SSHEndpoint]) throws(HLSError) {
        guard !files.isEmpty, let first = endpoints.first else { return }
        guard LibSSH2.ensureInitialized(), let session = hlsh_ssh2_session_init() else {
            throw HLSError(.failed, "cannot initialize libssh2", at: .host(first.description))
        }
        defer { _ = libssh2_session_free(session) }
        let type = SSHHostKeyType.sessionType(named: typeName)
        for file in files {
            let store = SSHKnownHosts(path: file)
            for endpoint in endpoints {
                let verdict = try store.check(
                    self, sessionKeyType: type, name: endpoint.knownHostsName, session: session, endpoint: endpoint)
                guard verdict != .notFound else { continue }
                try store.verify(self, sessionKeyType: type, for: endpoint, policy: .strict, session: session)
            }
        }
    }
}

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

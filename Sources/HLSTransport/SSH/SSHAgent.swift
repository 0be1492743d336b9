internal import CSSH2
import HLSCore

/// A connection to an ssh-agent through libssh2's agent API, for one session's login. Keys
/// stay in the agent (so passphrase-protected keys work once `ssh-add`ed); the agent signs.
/// Used only under the session's lock; `close()` must be called before the session is used for
/// anything else.
final class SSHAgent {
    /// One key the agent holds.
    struct Identity {
        let raw: UnsafeMutablePointer<libssh2_agent_publickey>
        let blob: [UInt8]
        let comment: String
        /// How the key is named in messages: its comment, else its fingerprint.
        var label: String {
            let fingerprint = Fingerprint.sha256(ofKeyBlob: blob)
            return comment.isEmpty ? "agent key \(fingerprint)" : "agent key \(comment) (\(fingerprint))"
        }
    }

    private let agent: OpaquePointer
    private let io: SSHSessionIO

    private init(agent: OpaquePointer, io: SSHSessionIO) {
        self.agent = agent
        self.io = io
    }

    /// Connects to the agent at `socketPath`; the reason as text when it cannot.
    static func connect(io: SSHSessionIO, socketPath: String) -> Result<SSHAgent, AgentUnavailable> {
        guard let agent = libssh2_agent_init(io.session) else {
            return .failure(AgentUnavailable(reason: "cannot create an agent handle"))
        }
        libssh2_agent_set_identity_path(agent, socketPath)
        if libssh2_agent_connect(agent) != 0 {
            libssh2_agent_free(agent)
            return .failure(AgentUnavailable(reason: "cannot connect to ssh-agent at \(socketPath)"))
        }
        return .success(SSHAgent(agent: agent, io: io))
    }

    struct AgentUnavailable: Error {
        let reason: String
    }

    /// The keys the agent holds, in the agent's order (empty when it cannot list them).
    func identities() -> [Identity] {
        var rc = libssh2_agent_list_identities(agent)
        while rc == LIBSSH2_ERROR_EAGAIN { rc = libssh2_agent_list_identities(agent) }
        guard rc == 0 else { return [] }
        var result: [Identity] = []
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var current: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &current, previous) == 0, let current else { break }
            let key = current.pointee
            let blob = key.blob.map { [UInt8](UnsafeBufferPointer(start: $0, count: key.blob_len)) } ?? []
            let comment = key.comment.map { String(cString: $0) } ?? ""
            result.append(Identity(raw: current, blob: blob, comment: comment))
            previous = current
        }
        return result
    }

    /// Offers `identity` for `user`; the libssh2 code (0 when the server accepted it).
    func authenticate(
        user: String, with identity: Identity, deadline: Deadline, cancellation: Cancellation
    ) throws(HLSError) -> Int32 {
        while true {
            let rc = libssh2_agent_userauth(agent, user, identity.raw)
            if rc != LIBSSH2_ERROR_EAGAIN { return rc }
            try io.wait("authenticating with ssh-agent", deadline: deadline, cancellation: cancellation)
        }
    }

    func close() {
        _ = libssh2_agent_disconnect(agent)
        libssh2_agent_free(agent)
    }
}

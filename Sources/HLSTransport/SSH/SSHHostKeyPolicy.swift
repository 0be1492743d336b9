/// What to do with a host key that known_hosts does not list yet. A key that differs from
/// the one on file is refused under every policy.
public enum SSHHostKeyPolicy: Sendable, Hashable {
    /// Only hosts already in known_hosts are accepted (OpenSSH's `StrictHostKeyChecking yes`).
    case strict
    /// An unknown host's key is appended to known_hosts and accepted
    /// (OpenSSH's `StrictHostKeyChecking accept-new`).
    case acceptNew
}

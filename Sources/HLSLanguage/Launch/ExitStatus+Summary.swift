public import HLSCore

extension ExitStatus {
    /// What the status means, as `hlsh --help` lists it.
    public var summary: String {
        switch self {
        case .ok: return "ok"
        case .failure: return "a command failed"
        case .usage: return "usage or syntax error"
        case .pendingChanges: return "changes pending under --dry-run --detailed-exitcode"
        case .interrupted: return "interrupted"
        }
    }
}

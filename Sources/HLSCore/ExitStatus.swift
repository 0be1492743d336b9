/// The process exit codes hlsh promises, in one place.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Everything ran.
    case ok = 0
    /// A command failed, a file it was given cannot be read, or what it needs to reach the lab
    /// (credentials, the inventory, a kubeconfig) is missing or invalid.
    case failure = 1
    /// The command line or a script could not be understood (usage or syntax error): only
    /// these, never a missing setting (ADR 0043) nor a file that cannot be read (ADR 0054).
    case usage = 2
    /// `--dry-run --detailed-exitcode` found changes that a real run would make.
    case pendingChanges = 3
    /// The user pressed Ctrl-C (128 + SIGINT, as shells report it).
    case interrupted = 130

    /// What the status tells the caller, as the man page and the reference say it.
    public var meaning: String {
        switch self {
        case .ok: "everything ran"
        case .failure:
            "a command failed, a file it names cannot be read (a script, -f FILE), or what it needs is missing or "
                + "invalid: credentials, inventory, kubeconfig"
        case .usage: "usage or syntax error: the command line or a script could not be understood (not a missing file)"
        case .pendingChanges: "with --dry-run --detailed-exitcode: a real run would change something"
        case .interrupted: "interrupted by Ctrl-C (128 + SIGINT, as shells report it)"
        }
    }
}

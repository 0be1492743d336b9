/// XDG directories hlsh writes to: history, the runbook journal, caches.
public struct StatePaths: Sendable, Hashable {
    /// `$XDG_STATE_HOME/hlsh`, else `~/.local/state/hlsh`.
    public var stateDirectory: String

    public init(environment: [String: String]) {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            stateDirectory = xdg + "/hlsh"
        } else {
            let home = environment["HOME"] ?? "/tmp"
            stateDirectory = home + "/.local/state/hlsh"
        }
    }

    public var historyFile: String { stateDirectory + "/history" }
    public var journalDirectory: String { stateDirectory + "/journal" }
}

/// XDG directories hlsh writes to: history, the runbook journal, caches.
public struct StatePaths: Sendable, Hashable {
    /// `$XDG_STATE_HOME/hlsh`, else `~/.local/state/hlsh`.
    public var stateDirectory: String
    /// `$XDG_CACHE_HOME/hlsh`, else `~/.cache/hlsh`: what may be lost at any time.
    public var cacheDirectory: String

    public init(environment: [String: String]) {
        func directory(_ variable: String, else fallback: String) -> String {
            if let xdg = environment[variable], xdg.hasPrefix("/") { return xdg + "/hlsh" }
            return (environment["HOME"] ?? "/tmp") + fallback
        }
        stateDirectory = directory("XDG_STATE_HOME", else: "/.local/state/hlsh")
        cacheDirectory = directory("XDG_CACHE_HOME", else: "/.cache/hlsh")
    }

    public var historyFile: String { stateDirectory + "/history" }
    public var journalDirectory: String { stateDirectory + "/journal" }
    /// Live names that `hlsh __complete` fetched, kept between Tab presses in the outer shell.
    public var completionCacheFile: String { cacheDirectory + "/completion-names.json" }
}

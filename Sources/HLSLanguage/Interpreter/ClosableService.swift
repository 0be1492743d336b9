/// A service of a run that holds something to give back when the run ends (connections,
/// sockets, child processes). `ExecutionContext.closeServices()` closes each one once, in
/// reverse order of creation, when the script, `-c` command or interactive session ends.
public protocol ClosableService: Sendable {
    /// Releases what the service holds. Called once, after the run's last command.
    func close()
}

public import HLSCore

extension SSHSession {
    /// Connects to a resolved target, through its `ProxyJump` hops when it has any: the first
    /// hop over TCP, each next one (and the target) over a tunnel through the previous hop.
    /// Host keys are checked under each host's own name; the returned session owns the chain
    /// and closes it with itself.
    public static func connect(to target: SSHResolvedTarget, cancellation: Cancellation = .never) throws(HLSError)
        -> SSHSession
    {
        guard let first = target.jumpHosts.first else {
            return try SSHSession(connectingTo: target.endpoint, options: target.options, cancellation: cancellation)
        }
        var current = try SSHSession(connectingTo: first.endpoint, options: first.options, cancellation: cancellation)
        let rest = target.jumpHosts.dropFirst().map { ($0.endpoint, $0.options) } + [(target.endpoint, target.options)]
        for (endpoint, options) in rest {
            let deadline = SSHDeadline(after: options.connectTimeout)
            let (tunnel, socket) = try SSHTunnel.open(
                through: current, to: endpoint, deadline: deadline, cancellation: cancellation)
            current = try SSHSession(
                socket: socket, endpoint: endpoint, options: options, deadline: deadline, cancellation: cancellation,
                tunnel: tunnel)
        }
        return current
    }
}

public import HLSCore

extension SSHSession {
    /// Connects to a resolved target, through its `ProxyJump` hops when it has any: the first
    /// hop over TCP, each next one (and the target) over a tunnel through the previous hop.
    /// Host keys are checked under each host's own name. The jump hosts are the session's own
    /// and close with it (`SSHConnectionPool` shares them instead).
    public static func connect(to target: SSHResolvedTarget, cancellation: Cancellation = .never) throws(HLSError)
        -> SSHSession
    {
        func unpooled(_ hop: SSHResolvedTarget) throws(HLSError) -> SSHJumpHost {
            SSHJumpHost(
                session: try connect(to: hop, cancellation: cancellation, jumpHostFor: unpooled),
                closesWhenUnused: true)
        }
        return try connect(to: target, cancellation: cancellation, jumpHostFor: unpooled)
    }

    /// Connects to `target`, getting the jump host for its last hop from `jumpHostFor` (given
    /// that hop with the hops before it as its own route).
    static func connect(
        to target: SSHResolvedTarget, cancellation: Cancellation,
        jumpHostFor: (SSHResolvedTarget) throws(HLSError) -> SSHJumpHost
    ) throws(HLSError) -> SSHSession {
        guard var hop = target.jumpHosts.last else {
            return try SSHSession(connectingTo: target.endpoint, options: target.options, cancellation: cancellation)
        }
        hop.jumpHosts = Array(target.jumpHosts.dropLast())
        let jumpHost = try jumpHostFor(hop)
        let deadline = Deadline(after: target.options.connectTimeout)
        let (tunnel, socket) = try jumpHost.openTunnel(
            to: target.endpoint, deadline: deadline, cancellation: cancellation)
        return try SSHSession(
            socket: socket, endpoint: target.endpoint, options: target.options, deadline: deadline,
            cancellation: cancellation, tunnel: tunnel)
    }
}

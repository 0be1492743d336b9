import HLSCore
import HLSLanguage
import HLSTransport
import Remote

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

extension NodeCommands {
    static let ssh = CommandSpec(
        ["node", "ssh"], summary: "An interactive shell on a node (or one command on a terminal), like ssh",
        discussion: """
            Runs a shell (or the command) on the node over the session's connection to it (made first \
            if needed, reached the same way as every node verb: ssh_config, then the inventory). On a \
            terminal, on a pseudo-terminal there: keys go straight to the remote shell (Ctrl-C \
            included) until it exits; the local terminal is restored whatever happens. Without one, \
            as with ssh, no pseudo-terminal: standard input is passed on (its end too), and the remote \
            stderr comes out on stderr. A command that holds a secret reaches the node on stdin, never \
            on a command line. A non-zero exit of the remote shell or command fails the verb.
            """,
        positionals: [
            Parameter("target", .name("node"), "a VM name or user@host[:port]"),
            Parameter("command", .string, "run this instead of a login shell", optional: true),
        ],
        flags: [acceptNewFlag],
        examples: [Example(#"node ssh k3s-cp-01 "uptime""#, "one command on a terminal", needsLab: true)],
        implementation: .query { inv in
            let selected = try NodeService.select([inv.string("target")!], inv: inv)
            guard selected.count == 1, let target = selected.first?.target else {
                throw inv.usage("one node, not a group: a VM name or user@host[:port]")
            }
            let session = try NodeService.of(inv).connections.session(
                for: target, cancellation: inv.context.cancellation, acceptNew: inv.flag("accept-new"))
            let command = inv.has("command") ? remoteCommand(inv.value("command")).command : nil
            let result: SSHExecResult
            if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 {
                result = try session.interactiveShell(command: command, cancellation: inv.context.cancellation)
            } else {
                result = try session.piped(
                    input: STDIN_FILENO, output: STDOUT_FILENO, errorOutput: STDERR_FILENO, command: command,
                    cancellation: inv.context.cancellation)
            }
            switch (result.exitStatus, result.exitSignal) {
            case (0?, _): return .null
            case (let code?, _): throw inv.failure("the session on \(target.name) ended with exit \(code)")
            case (nil, let signal?): throw inv.failure("the session on \(target.name) was ended by signal \(signal)")
            default: throw inv.failure("the session on \(target.name) ended without an exit status")
            }
        })
}

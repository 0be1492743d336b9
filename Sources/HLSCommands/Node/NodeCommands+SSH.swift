import Foundation
import HLSCore
import HLSLanguage
import HLSTransport
import Remote

#if canImport(Glibc)
    import Glibc
#endif

extension NodeCommands {
    static let ssh = CommandSpec(
        ["node", "ssh"], summary: "An interactive shell on a node (or one command on a terminal), like ssh",
        discussion: """
            Opens a pseudo-terminal on the node over the session's connection to it (made first if \
            needed, reached the same way as every node verb: ssh_config, then the inventory). On a \
            terminal, keys go straight to the remote shell (Ctrl-C included) until it exits; the local \
            terminal is restored whatever happens. Without a terminal, standard input is passed on. \
            A non-zero exit of the remote shell or command fails the verb.
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
                throw inv.usage("node ssh takes one node, not a group")
            }
            let session = try NodeService.of(inv).connections.session(
                for: target, cancellation: inv.context.cancellation, acceptNew: inv.flag("accept-new"))
            let command = inv.string("command")
            let result: SSHExecResult
            if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 {
                result = try session.interactiveShell(command: command, cancellation: inv.context.cancellation)
            } else {
                result = try session.interactive(
                    input: STDIN_FILENO, output: STDOUT_FILENO, term: "dumb",
                    size: SSHTerminalSize(columns: 80, rows: 24), command: command,
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

import HLSCore
import HLSLanguage
import HLSTransport
import Inventory
import Remote

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension NodeCommands {
    static let ports = CommandSpec(
        ["node", "ports"], summary: "Which ports the stack needs between nodes each node's firewall would drop",
        discussion: """
            Reads each node's loaded firewall (`nft -j list ruleset`, through sudo) and tells, for every \
            port the seed's stack needs from another node (k3s API 6443, kubelet 10250, flannel 8472/udp, \
            node-exporter 9100, ingress 80/443, Longhorn's 9500-9503, 8500-8501, 8000, iSCSI 3260 and \
            10000-30000), whether a new packet from each other node's address passes every input chain. \
            A row per node and port: status open, or dropped with the addresses and the rule or policy \
            that drops them. Only reads; nothing on the node changes.
            """,
        positionals: [targets], flags: [limitFlag, acceptNewFlag],
        columns: ["node", "port", "service", "status", "from", "by"],
        examples: [
            Example(
                "node ports all | where status == \"dropped\"", "ports a node's firewall would drop from the others",
                needsLab: true)
        ],
        implementation: .query(checkPorts))

    /// The command that prints a node's whole ruleset as JSON.
    static let rulesetCommand = "sudo -n nft -j list ruleset"

    /// `node ports`: a row per selected node and needed port.
    static func checkPorts(_ inv: Invocation) throws -> Value {
        let lab = try LabState.require(inv)
        let service = try NodeService.of(inv)
        let selected = try NodeService.select(words(inv), inv: inv)
        let acceptNew = inv.flag("accept-new")
        let cancellation = inv.context.cancellation
        for s in selected where s.vm == nil {
            throw inv.failure(
                "\(s.target.name) is not in \(lab.file); ports needs the other nodes' addresses",
                hint: "name the inventory's nodes, or all")
        }
        let results = Parallel.map(selected.count, limit: inv.int(defaulted: "limit")) { index in
            Result { () throws(HLSError) -> [NodePorts.Finding] in
                let s = selected[index]
                let result = try service.connections.exec(
                    s.target, rulesetCommand, timeout: .seconds(60), cancellation: cancellation, acceptNew: acceptNew)
                guard result.exitStatus == 0 else {
                    throw HLSError(
                        .failed, "cannot read the firewall of \(s.target.name): \(rulesetCommand) failed",
                        at: .host(s.target.name), hint: "is nftables installed there? (node harden \(s.target.name))",
                        cause: NodeScriptRunner.lastLines(result.stderrText))
                }
                let filter = try NFTInputFilter(json: result.stdoutText, source: "\(s.target.name): \(rulesetCommand)")
                let peers = lab.vms.filter { $0.name != s.vm?.name }.map(\.ip.addressText)
                return NodePorts.check(filter, from: peers)
            }
        }
        return .list(
            try zip(selected, results).flatMap { s, result in
                try result.get().map { finding in
                    .record(
                        Record([
                            ("node", .string(s.target.name)), ("port", .string(finding.needed.label)),
                            ("service", .string(finding.needed.service)),
                            ("status", .string(finding.open ? "open" : "dropped")),
                            (
                                "from",
                                .list(
                                    finding.dropped.map {
                                        .string(
                                            $0.ports == NodePorts.text(finding.needed.ports)
                                                ? $0.peer : "\($0.peer) (ports \($0.ports))")
                                    })
                            ),
                            ("by", .list(Array(Set(finding.dropped.map(\.by))).sorted().map(Value.string))),
                        ]))
                }
            })
    }
}

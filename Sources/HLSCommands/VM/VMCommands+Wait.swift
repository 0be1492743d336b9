import HLSCore
import HLSLanguage
import Inventory
import Proxmox

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

extension VMCommands {
    static let wait = CommandSpec(
        ["vm", "wait"],
        summary: "Wait until VMs are running, answer on SSH, or report addresses by their guest agent",
        discussion: """
            --for ssh probes the VM's SSH port (ssh_config's HostName and Port for its name, else the \
            inventory's address and ssh_port; Ubuntu cloud images have no guest agent until it is \
            installed, so this is the reliable readiness check); --for agent asks \
            the guest agent for addresses. Progress with elapsed time is shown on a terminal; Ctrl-C stops it.
            """,
        positionals: selection,
        flags: [
            allFlag,
            Flag("for", .choice(["running", "ssh", "agent"]), "what to wait for", default: .string("running")),
            Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(600))),
            Flag("every", .duration, "time between checks", default: .duration(.seconds(2))),
        ],
        columns: ["name", "ready", "waited"],
        examples: [
            Example("vm wait --all --for agent --timeout 10m", "every VM reports its addresses", needsLab: true)
        ],
        implementation: .query(waitForVMs))

    /// `vm wait`: every VM named (or --all) checked to exist, then waited for in turn.
    static func waitForVMs(_ inv: Invocation) throws -> Value {
        let client = try ProxmoxService.client(inv)
        let condition = inv.string(defaulted: "for")
        let timeout = inv.duration(defaulted: "timeout")
        let every = inv.duration(defaulted: "every")
        let names: [String]
        let lab = LabState.of(inv.context).lab
        if inv.list("names").isEmpty {
            guard inv.flag("all") else { throw inv.usage("name the VMs, or give --all") }
            names = try LabState.require(inv).vms.map(\.name)
        } else {
            names = inv.list("names").map(Render.plain)
        }
        // Every name is checked before any is waited for: a typo fails now, not at the timeout.
        for name in names { _ = try lookUp(name, inv, client: client) }
        var results: [Value] = []
        for name in names {
            let waited = try inv.waitUntil(
                name, condition, timeout: timeout, every: every,
                hint: "raise --timeout, or check the VM's console in Proxmox"
            ) { () throws -> String? in
                try notYet(name, condition, inv: inv, client: client, lab: lab)
            }
            results.append(
                .record(
                    Record([("name", .string(name)), ("ready", .string(condition)), ("waited", .duration(waited))])))
        }
        return .list(results)
    }

    /// Why VM `name` is not yet `condition` (running, agent, ssh); nil once it is.
    static func notYet(_ name: String, _ condition: String, inv: Invocation, client: PVEClient, lab: Lab?) throws
        -> String?
    {
        let ref = try client.resolveVM(name, cancellation: inv.context.cancellation)
        switch condition {
        case "running":
            let status = try client.currentStatus(
                node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation
            ).status
            return status == "running" ? nil : status
        case "agent":
            switch try client.agentInterfaces(
                node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation)
            {
            case .ready(let interfaces) where interfaces.contains(where: { !$0.addresses.isEmpty }):
                return nil
            case .ready: return "agent reports no address yet"
            case .notReady(let why): return why
            }
        default:
            guard let lab, let spec = lab.vm(named: name) else {
                throw inv.failure(
                    "\(name) has no address in the inventory to probe",
                    hint: "use --for agent, or add it to homelab.yaml")
            }
            // Where SSH answers: ssh_config's HostName and Port for the VM's name if it
            // has them (so the simulated lab and a user's aliases work), else the inventory's.
            let target = NodeService.inventoryTarget(spec, lab: lab).target
            let endpoint = try NodeService.of(inv).connections.resolve(target).endpoint
            return tcpProbe(host: endpoint.host, port: endpoint.port, timeout: .seconds(2))
                ? nil : "no answer on \(endpoint.host):\(endpoint.port)"
        }
    }

    /// Whether something accepts TCP connections on host:port within `timeout`: an IPv4 or IPv6
    /// address, or a name (every address it resolves to is tried).
    static func tcpProbe(host: String, port: UInt16, timeout: Duration) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(first) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if connects(info.pointee, timeout: timeout) { return true }
            next = info.pointee.ai_next
        }
        return false
    }

    private static func connects(_ info: addrinfo, timeout: Duration) -> Bool {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, timeout.pollMilliseconds(cap: .max)) == 1 else { return false }
        var error: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len)
        return error == 0
    }
}

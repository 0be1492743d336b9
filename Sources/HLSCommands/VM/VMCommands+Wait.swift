import Foundation
import HLSCore
import HLSLanguage
import Inventory
import Proxmox

#if canImport(Glibc)
    import Glibc
#endif

extension VMCommands {
    static let wait = CommandSpec(
        ["vm", "wait"],
        summary: "Wait until VMs are running, answer on SSH (TCP 22), or report addresses by their guest agent",
        discussion: """
            --for ssh probes TCP port 22 of the address in the inventory (Ubuntu cloud images have no \
            guest agent until it is installed, so this is the reliable readiness check); --for agent asks \
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
        implementation: .query { inv in
            let client = try ProxmoxService.client(inv)
            let condition = inv.string("for")!
            let timeout = inv.duration("timeout")!
            let every = inv.duration("every")!
            let names: [String]
            let lab = LabState.of(inv.context).lab
            if inv.list("names").isEmpty {
                guard inv.flag("all") else { throw inv.usage("name the VMs, or give --all") }
                names = try LabState.require(inv).vms.map(\.name)
            } else {
                names = inv.list("names").map(Render.plain)
            }
            let clock = ContinuousClock()
            let start = clock.now
            var results: [Value] = []
            for name in names {
                let progress = Progress("waiting for \(name) (\(condition))", context: inv.context)
                defer { progress.stop() }
                var last = "not checked yet"
                while true {
                    try inv.context.cancellation.check("vm wait \(name)")
                    do {
                        let ref = try client.resolveVM(name, cancellation: inv.context.cancellation)
                        switch condition {
                        case "running":
                            last = try client.currentStatus(
                                node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation
                            ).status
                            if last == "running" { break }
                        case "agent":
                            switch try client.agentInterfaces(
                                node: ref.node, vmid: ref.vmid, cancellation: inv.context.cancellation)
                            {
                            case .ready(let interfaces) where interfaces.contains(where: { !$0.addresses.isEmpty }):
                                last = "ready"
                            case .ready: last = "agent reports no address yet"
                            case .notReady(let why): last = why
                            }
                        default:
                            guard let spec = lab?.vm(named: name) else {
                                throw inv.failure(
                                    "\(name) has no address in the inventory to probe",
                                    hint: "use --for agent, or add it to homelab.yaml")
                            }
                            let ip = spec.ip.addressText
                            last =
                                tcpProbe(host: ip, port: UInt16(spec.sshPort), timeout: .seconds(2))
                                ? "ready" : "no answer on \(ip):\(spec.sshPort)"
                        }
                    } catch let e as HLSError where e.kind == .failed {
                        last = e.message
                    }
                    if last == "ready" || (condition == "running" && last == "running") { break }
                    // A dry run applied nothing: waiting for what only the apply would bring about
                    // would never end. Report it and go on planning.
                    if inv.context.options.dryRun {
                        last = "not waited for (dry run): \(last)"
                        break
                    }
                    progress.update("waiting for \(name) (\(condition)): \(last)")
                    if clock.now - start > timeout {
                        throw HLSError(
                            .timeout,
                            "vm wait: \(name) is not \(condition == "running" ? "running" : "ready (\(condition))") after \(Render.plain(.duration(timeout)))",
                            at: .source(inv.location), hint: "raise --timeout, or check the VM's console in Proxmox",
                            cause: last)
                    }
                    try pause(every, cancellation: inv.context.cancellation, what: "vm wait \(name)")
                }
                results.append(
                    .record(
                        Record([
                            ("name", .string(name)),
                            ("ready", .string(last.hasPrefix("not waited") ? last : condition)),
                            ("waited", .duration(clock.now - start)),
                        ])))
            }
            return .list(results)
        })

    /// Sleeps `duration` in 100 ms steps, so Ctrl-C ends a wait at once.
    static func pause(_ duration: Duration, cancellation: Cancellation, what: String) throws {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while clock.now < end {
            try cancellation.check(what)
            let left = end - clock.now
            Thread.sleep(
                forTimeInterval: min(0.1, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18))
        }
    }

    /// Whether something accepts TCP connections on host:port within `timeout`.
    static func tcpProbe(host: String, port: UInt16, timeout: Duration) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return false }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&pfd, 1, ms) == 1 else { return false }
        var error: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len)
        return error == 0
    }
}

import HLSCore

/// `…/status/*`: current state, start, stop, shutdown, reboot. As in qemu-server, the checks
/// that need the VM's state mostly run inside the worker, so e.g. starting a running VM
/// returns a UPID whose task fails with "VM 101 already running".
extension PVEHandlers {
    static func statusCurrent(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            let vm = try requireVM(s, call.vmid, on: call.node)
            var pairs = statusFields(vm, now: call.now, bootDelay: call.api.config.timings.bootDelay)
            pairs.insert(("vmid", .int(vm.vmid)), at: 0)
            pairs.append(("qmpstatus", .string(vm.running ? "running" : "stopped")))
            pairs.append(("ha", obj([("managed", .int(0))])))
            if vm.agentEnabled { pairs.append(("agent", .int(1))) }
            if vm.running {
                pairs.append(("running-qemu", .string("9.2.0")))
                pairs.append(("running-machine", .string("pc-i440fx-9.2+pve1")))
            }
            return PVEResult(.object(pairs))
        }
    }

    static func start(_ call: PVECall) throws(PVEError) -> PVEResult {
        let skiplock = try rootOnly(call, "skiplock")
        let (vmid, node) = (call.vmid, call.node)
        let api = call.api
        return try task(call, type: "qmstart", duration: api.config.timings.taskDuration) { s, t in
            guard var vm = s.vms[vmid], vm.node == node else {
                return .failed("Configuration file 'nodes/\(node)/qemu-server/\(vmid).conf' does not exist")
            }
            if vm.isTemplate { return .failed("you can't start a vm if it's a template") }
            if !skiplock, let lock = vm.lock { return .failed("VM is locked (\(lock))") }
            if vm.running { return .failed("VM \(vmid) already running") }
            applyPending(&vm, state: &s)
            vm.running = true
            vm.startedAt = t
            vm.pid = Int.random(in: 1000...4_000_000)
            s.vms[vmid] = vm
            return PVETaskOutcome()
        }
    }

    static func stop(_ call: PVECall) throws(PVEError) -> PVEResult {
        let skiplock = try rootOnly(call, "skiplock")
        _ = try rootOnly(call, "keepActive")
        let (vmid, node) = (call.vmid, call.node)
        try call.withState { (s: inout PVEState) throws(PVEError) in try assertConfigOnNode(s, vmid, node) }
        return try task(call, type: "qmstop", duration: call.api.config.timings.taskDuration) { s, _ in
            guard var vm = s.vms[vmid], vm.running else { return PVETaskOutcome() }
            if !skiplock, let lock = vm.lock { return .failed("VM is locked (\(lock))") }
            vm.running = false
            vm.startedAt = nil
            vm.pid = nil
            s.vms[vmid] = vm
            return PVETaskOutcome()
        }
    }

    static func shutdown(_ call: PVECall) throws(PVEError) -> PVEResult {
        let skiplock = try rootOnly(call, "skiplock")
        _ = try rootOnly(call, "keepActive")
        let (vmid, node) = (call.vmid, call.node)
        let forceStop = call.bool("forceStop") == true
        let timeout = Double(call.int("timeout") ?? 60)
        let config = call.api.config
        let running = try call.withState { (s: inout PVEState) throws(PVEError) -> Bool in
            try assertConfigOnNode(s, vmid, node)
            return s.vms[vmid]?.running == true
        }
        let honours = config.guestsHonourShutdown
        let duration =
            !running ? config.timings.taskDuration : honours ? min(config.timings.shutdownDuration, timeout) : timeout
        return try task(call, type: "qmshutdown", duration: duration) { s, _ in
            guard var vm = s.vms[vmid], vm.running else { return PVETaskOutcome() }
            if !skiplock, let lock = vm.lock { return .failed("VM is locked (\(lock))") }
            var outcome = PVETaskOutcome()
            if !honours || config.timings.shutdownDuration > timeout {
                guard forceStop else { return .failed("VM quit/powerdown failed - got timeout") }
                outcome.log.append("VM still running - terminating now with SIGTERM")
                outcome.warnings = 1
            }
            vm.running = false
            vm.startedAt = nil
            vm.pid = nil
            s.vms[vmid] = vm
            return outcome
        }
    }

    static func reboot(_ call: PVECall) throws(PVEError) -> PVEResult {
        let (vmid, node) = (call.vmid, call.node)
        let config = call.api.config
        try call.withState { (s: inout PVEState) throws(PVEError) in
            try assertConfigOnNode(s, vmid, node)
            if s.vms[vmid]?.running != true { throw PVEError.failed("VM \(vmid) not running") }
        }
        let timeout = Double(call.int("timeout") ?? 60)
        let duration =
            config.guestsHonourShutdown ? config.timings.shutdownDuration + config.timings.taskDuration : timeout
        return try task(call, type: "qmreboot", duration: duration) { s, t in
            guard var vm = s.vms[vmid], vm.running else { return PVETaskOutcome() }
            if let lock = vm.lock { return .failed("VM is locked (\(lock))") }
            if !config.guestsHonourShutdown { return .failed("VM quit/powerdown failed - got timeout") }
            applyPending(&vm, state: &s)
            vm.startedAt = t
            vm.pid = Int.random(in: 1000...4_000_000)
            s.vms[vmid] = vm
            return PVETaskOutcome()
        }
    }

    /// Pending changes take effect when QEMU (re)starts.
    static func applyPending(_ vm: inout PVEVM, state s: inout PVEState) {
        for (key, value) in vm.pending { vm.config[key] = value }
        for key in vm.pendingDelete { vm.config[key] = nil }
        vm.pending = [:]
        vm.pendingDelete = []
    }

    /// `check_running` → `assert_config_exists_on_node`.
    static func assertConfigOnNode(_ s: PVEState, _ vmid: Int, _ node: String) throws(PVEError) {
        _ = try requireNode(s, node)
        guard let vm = s.vms[vmid], vm.node == node else {
            throw PVEError.failed("unable to find configuration file for VM \(vmid) on node '\(node)'")
        }
    }

    /// Parameters only root@pam may pass.
    static func rootOnly(_ call: PVECall, _ key: String) throws(PVEError) -> Bool {
        let set = call.bool(key) == true
        if set && call.authid != "root@pam" { throw PVEError.parameter(key, "Only root may use this option.") }
        return set
    }

    /// Forks a worker of `type` for the VM in the URL and returns its UPID.
    static func task(
        _ call: PVECall, type: String, duration: Double,
        _ work: @escaping @Sendable (inout PVEState, Double) -> PVETaskOutcome
    ) throws(PVEError) -> PVEResult {
        let extra = call.api.faults.extraTaskDelay(type: type)
        var work = work
        if let exitStatus = call.api.faults.taskFailure(type: type) {
            work = { _, _ in PVETaskOutcome.failed(exitStatus) }
        }
        let upid = try call.withState { (s: inout PVEState) throws(PVEError) -> String in
            _ = try requireNode(s, call.node)
            return s.startTask(
                node: call.node, type: type, id: String(call.vmid), user: call.authid, now: call.now,
                duration: duration + extra, work: work)
        }
        return PVEResult(.string(upid))
    }
}

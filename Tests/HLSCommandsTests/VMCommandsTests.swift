import Foundation
import HLSLanguage
import TestSupport
import XCTest

final class VMCommandsTests: XCTestCase {
    func testApplyCreatesTheSeedLabAndASecondApplyChangesNothing() throws {
        let lab = try LabHarness()
        let first = lab.run("vm apply --all | select target action status | to json")
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(
            first.out.filter { !$0.isWhitespace },
            #"[{"target":"k3s-cp-01","action":"create","status":"applied"},{"target":"k3s-wk-01","action":"create","status":"applied"}]"#
        )
        let second = lab.run("vm apply --all | count")
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertTrue(second.out.hasSuffix("0\n"), second.out)
        XCTAssertTrue(second.err.contains("vm apply: no change"), second.err)
        let list = lab.run(#"vm list | select name node status cores memory ip | to json --compact"#)
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(
            list.out.contains(
                #"[{"name":"k3s-cp-01","node":"pve1","status":"running","cores":4,"memory":8589934592,"ip":"192.168.10.21/24"},{"name":"k3s-wk-01","node":"pve2","status":"running","cores":6,"memory":17179869184,"ip":"192.168.10.22/24"}]"#
            ), list.out)
        let show = lab.run(#"vm show k3s-wk-01 | get disks | to json --compact"#)
        XCTAssertTrue(show.out.contains(#"{"scsi0":53687091200,"scsi1":107374182400}"#), show.out + show.err)
    }

    func testDryRunMakesNoWriteCallAndCountsPendingChanges() throws {
        let lab = try LabHarness()
        var options = RunOptions()
        options.dryRun = true
        options.detailedExitCode = true
        let result = lab.run("vm apply --all | select target action status | to json --compact", options: options)
        XCTAssertEqual(result.status, 3, result.err)
        XCTAssertTrue(result.out.contains(#"{"target":"k3s-cp-01","action":"create","status":"planned"}"#), result.out)
        XCTAssertEqual(lab.writes, [], "a dry run must not write")
        XCTAssertFalse(lab.simulator.requestLog.isEmpty, "the dry run did read the cluster")
    }

    func testPlanShowsFieldsThatDifferAfterTheInventoryChanges() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        try lab.useInventory(LabHarness.shippedInventory.replacingOccurrences(of: "memory: 16G", with: "memory: 24G"))
        let plan = lab.run(
            #"vm plan --all | where change != "" | select vm field actual desired change | to json --compact"#)
        XCTAssertEqual(plan.status, 0, plan.err)
        XCTAssertTrue(
            plan.out.contains(
                #"[{"vm":"k3s-wk-01","field":"memory","actual":"16 GiB","desired":"24 GiB","change":"update"}]"#),
            plan.out)
        let apply = lab.run("vm apply --all | select target action | to json --compact")
        XCTAssertTrue(apply.out.contains(#"[{"target":"k3s-wk-01","action":"configure"}]"#), apply.out + apply.err)
        XCTAssertTrue(lab.run("vm apply --all").err.contains("no change"))
    }

    func testShrinkingADiskIsRefusedBeforeAnythingIsWritten() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let writesBefore = lab.writes.count
        // The worker's data disk, the first after its name.
        let inventory = LabHarness.shippedInventory
        let worker = try XCTUnwrap(inventory.range(of: "k3s-wk-01"))
        let disk = try XCTUnwrap(inventory.range(of: "data_disk: 100G", range: worker.upperBound..<inventory.endIndex))
        try lab.useInventory(inventory.replacingCharacters(in: disk, with: "data_disk: 80G"))
        let result = lab.run("vm apply --all")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("refusing to shrink scsi1 of k3s-wk-01 from 100 GiB to 80 GiB"), result.err)
        XCTAssertTrue(result.err.contains("homelab.yaml:"), "the error names the inventory entry: \(result.err)")
        XCTAssertEqual(lab.writes.count, writesBefore, "nothing may be written when the plan is refused")
    }

    func testAPVEFailureReachesTheUserVerbatimWithTheVMAndStep() throws {
        let lab = try LabHarness()
        lab.simulator.injectFault(.init(kind: .cloneLockTimeout, method: "POST", path: "**/clone", count: 1))
        let result = lab.run("vm apply k3s-cp-01")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("k3s-cp-01"), result.err)
        XCTAssertTrue(result.err.contains("can't lock file"), result.err)
        XCTAssertTrue(result.err.contains("clon"), "the step is named: \(result.err)")
        // The rerun converges.
        let rerun = lab.run("vm apply k3s-cp-01 | get action")
        XCTAssertEqual(rerun.status, 0, rerun.err)
    }

    func testPowerVerbsAreIdempotentAndDestroyNeedsConfirmation() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        XCTAssertTrue(lab.run("vm start k3s-cp-01").err.contains("vm start: no change"))
        let stop = lab.run("vm stop k3s-cp-01 | get action | to json --compact")
        XCTAssertEqual(stop.status, 0, stop.err)
        XCTAssertTrue(stop.out.contains(#"["stop"]"#), stop.out)
        XCTAssertTrue(lab.run("vm stop k3s-cp-01").err.contains("no change"))
        XCTAssertTrue(lab.run("vm show k3s-cp-01 | get status").out.hasSuffix("stopped\n"))
        let refused = lab.run("vm destroy k3s-wk-01")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("--yes"), refused.err)
        XCTAssertEqual(lab.run("vm destroy k3s-wk-01 --yes").status, 0)
        XCTAssertTrue(lab.run("vm list | get name | to json --compact").out.contains(#"["k3s-cp-01"]"#))
    }

    func testWaitForRunningAndForTheGuestAgent() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let result = lab.run("vm wait --all --for agent --timeout 30s --every 100ms | get name | to json --compact")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains(#"["k3s-cp-01","k3s-wk-01"]"#), result.out)
    }

    /// `--for ssh` probes the inventory's address and port. Only loopback addresses are used
    /// here: tests never send traffic to other networks.
    func testWaitForSSHProbesTheInventorysAddressAndPort() throws {
        let listener = try TCPListener()
        let closed = try freeLoopbackPort()
        let inventory = loopbackInventory(sshPorts: listener.port, closed)
        let lab = try LabHarness(inventory: inventory, simulatedNodes: false)
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let ready = lab.run("vm wait k3s-cp-01 --for ssh --timeout 10s --every 100ms | get name | to json --compact")
        XCTAssertEqual(ready.status, 0, ready.err)
        XCTAssertTrue(ready.out.contains(#"["k3s-cp-01"]"#), ready.out)
        let timeout = lab.run("vm wait k3s-wk-01 --for ssh --timeout 1s --every 100ms")
        XCTAssertEqual(timeout.status, 1)
        XCTAssertTrue(timeout.err.contains("k3s-wk-01 is not ready (ssh)"), timeout.err)
        XCTAssertTrue(timeout.err.contains("no answer on 127.0.0.2:\(closed)"), timeout.err)
    }

    /// The shipped inventory with the VMs on loopback addresses (127.0.0.1, 127.0.0.2) and these
    /// SSH ports: tests never send traffic to other networks.
    private func loopbackInventory(sshPorts first: UInt16, _ second: UInt16) -> String {
        LabHarness.shippedInventory
            .replacingOccurrences(of: "gateway: 192.168.10.1", with: "gateway: 127.0.0.1")
            .replacingOccurrences(of: "dns: [192.168.10.1]", with: "dns: [127.0.0.1]")
            .replacingOccurrences(of: "ip: 192.168.10.21/24", with: "ip: 127.0.0.1/8\n    ssh_port: \(first)")
            .replacingOccurrences(of: "ip: 192.168.10.22/24", with: "ip: 127.0.0.2/8\n    ssh_port: \(second)")
    }

    /// An ssh_config entry for the VM's name wins over the inventory, and its HostName may be a
    /// name to resolve (loopback only here: `localhost`).
    func testWaitForSSHFollowsTheUsersSSHConfigForTheVMsName() throws {
        let listener = try TCPListener()
        let closed = try freeLoopbackPort()
        let inventory = loopbackInventory(sshPorts: closed, closed)
        let lab = try LabHarness(inventory: inventory, simulatedNodes: false)
        try lab.home.write(".ssh/config", "Host k3s-cp-01\n    HostName localhost\n    Port \(listener.port)\n")
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let ready = lab.run("vm wait k3s-cp-01 --for ssh --timeout 10s --every 100ms | get name | to json --compact")
        XCTAssertEqual(ready.status, 0, ready.err)
        XCTAssertTrue(ready.out.contains(#"["k3s-cp-01"]"#), ready.out)
    }

    func testVMNamesCompleteByStateForTheVerb() throws {
        let lab = try LabHarness()
        XCTAssertEqual(lab.run("vm apply --all; vm stop k3s-wk-01").status, 0)
        let registry = lab.registry
        let provider = try XCTUnwrap(registry.providers["vm"])
        let context = ExecutionContext(environment: lab.environment, out: { _ in }, err: { _ in })
        XCTAssertEqual(try provider.fetch(NameQuery(command: "vm start", context: context)).map(\.name), ["k3s-wk-01"])
        XCTAssertEqual(try provider.fetch(NameQuery(command: "vm stop", context: context)).map(\.name), ["k3s-cp-01"])
        XCTAssertEqual(
            try provider.fetch(NameQuery(command: "vm show", context: context)).map(\.name).sorted(),
            ["k3s-cp-01", "k3s-wk-01"])
    }
}

/// What the verbs taking a VM name do when the name or the cluster is not what the user thinks.
final class VMNameAndFailureTests: XCTestCase {
    /// A refused token or an unreachable Proxmox is a failure naming the cause and the API
    /// call, never "no change": only a VM that is not there (but is declared) is no change.
    func testDestroyFailsWhenProxmoxRefusesOrCannotBeReached() throws {
        let lab = try LabHarness(simulatedNodes: false)
        XCTAssertEqual(lab.run("vm apply k3s-wk-01").status, 0)
        let environment = lab.environment
        lab.environment["PROXMOX_VE_API_TOKEN"] = "root@pam!hlsh=00000000-0000-0000-0000-000000000000"
        let denied = lab.run("vm destroy k3s-wk-01 --yes")
        XCTAssertEqual(denied.status, 1, denied.err)
        XCTAssertFalse(denied.err.contains("no change"), denied.err)
        XCTAssertTrue(denied.err.contains("GET /cluster/resources"), denied.err)
        XCTAssertTrue(denied.err.contains("HTTP 401"), denied.err)

        lab.environment = environment
        lab.environment["PROXMOX_VE_ENDPOINT"] = "https://127.0.0.1:\(try freeLoopbackPort())/"
        let unreachable = lab.run("vm destroy k3s-wk-01 --yes")
        XCTAssertEqual(unreachable.status, 1, unreachable.err)
        XCTAssertFalse(unreachable.err.contains("no change"), unreachable.err)
        XCTAssertTrue(unreachable.err.contains("cannot connect"), unreachable.err)

        lab.environment = environment
        XCTAssertEqual(lab.run("vm destroy k3s-wk-01 --yes").status, 0)
        let again = lab.run("vm destroy k3s-wk-01 --yes")
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("vm destroy: no change"), again.err)
    }

    /// Every verb taking a VM name fails at once for a name neither the inventory nor the
    /// cluster knows, suggesting the nearest one — `vm wait` too, instead of waiting it out.
    func testAnUnknownNameFailsFastWithASuggestionInEveryVerb() throws {
        let lab = try LabHarness(simulatedNodes: false)
        // Nothing is created yet: only the inventory knows k3s-cp-01.
        for verb in ["show", "start", "stop", "shutdown", "reboot", "destroy --yes", "wait --timeout 20s"] {
            let clock = ContinuousClock()
            let start = clock.now
            let result = lab.run("vm \(verb) k3s-cp-1")
            XCTAssertLessThan(clock.now - start, .seconds(5), verb)
            XCTAssertEqual(result.status, 1, "\(verb): \(result.err)")
            XCTAssertTrue(result.err.contains("no VM named 'k3s-cp-1'"), "\(verb): \(result.err)")
            XCTAssertTrue(result.err.contains("did you mean 'k3s-cp-01'?"), "\(verb): \(result.err)")
            XCTAssertTrue(result.err.contains("test.hls:2:"), "the error points at the call: \(result.err)")
        }
        XCTAssertEqual(lab.writes, [], "nothing may be written for an unknown name")
        // A VM the cluster has but the inventory does not is found (and suggested) too.
        XCTAssertEqual(lab.run("vm apply --all").status, 0)
        let outsider = lab.run("vm wait ubuntu-2404-clod --timeout 20s")
        XCTAssertEqual(outsider.status, 1, outsider.err)
        XCTAssertTrue(outsider.err.contains("did you mean 'ubuntu-2404-cloud'?"), outsider.err)
        // A declared VM that is not created yet is named as such.
        let declared = try LabHarness(simulatedNodes: false)
        let start = declared.run("vm start k3s-cp-01")
        XCTAssertEqual(start.status, 1, start.err)
        XCTAssertTrue(start.err.contains("vm apply k3s-cp-01"), start.err)
    }

    /// A plain-http endpoint is refused before any request; allowed, it is warned about on
    /// standard error.
    func testAPlainHTTPEndpointIsRefusedOrWarnedAbout() throws {
        let lab = try LabHarness(simulatedNodes: false)
        let endpoint = "http://127.0.0.1:\(try freeLoopbackPort())/"
        lab.environment["PROXMOX_VE_ENDPOINT"] = endpoint
        let refused = lab.run("vm list")
        XCTAssertEqual(refused.status, 1, refused.err)
        XCTAssertTrue(refused.err.contains("PROXMOX_VE_ENDPOINT is plain http (\(endpoint))"), refused.err)
        XCTAssertTrue(refused.err.contains("HLSH_PVE_ALLOW_HTTP=1"), refused.err)
        lab.environment["HLSH_PVE_ALLOW_HTTP"] = "1"
        let allowed = lab.run("vm list")
        XCTAssertTrue(allowed.err.contains("warning: \(endpoint) is plain http"), allowed.err)
        XCTAssertTrue(allowed.err.contains("cannot connect"), "the request was made: \(allowed.err)")
    }

    /// A public key that cannot be read says why (the system's reason), not only that.
    func testAnUnreadablePublicKeySaysWhy() throws {
        let lab = try LabHarness(
            inventory: LabHarness.shippedInventory.replacingOccurrences(
                of: "public_keys: [~/.ssh/id_ed25519.pub]", with: "public_keys: [~/.ssh/missing.pub]"),
            simulatedNodes: false)
        let result = lab.run("vm plan --all")
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.err.contains("cannot read the public key ~/.ssh/missing.pub"), result.err)
        XCTAssertTrue(result.err.contains("cause: ") && result.err.contains("exist"), result.err)
    }
}

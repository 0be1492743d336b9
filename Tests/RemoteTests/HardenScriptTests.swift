import Foundation
import LabSim
import Remote
import TestSupport
import XCTest

/// `harden.sh` run for real by dash on a simulated Ubuntu 24.04 node.
final class HardenScriptTests: XCTestCase {
    static let parameters = HardenParameters(
        adminCIDRs: ["192.168.10.0/24"], nodeAddresses: ["192.168.10.21", "192.168.10.22"])

    func testFirstRunChangesSecondRunIsAllOK() throws {
        let node = try SimulatedNode()
        let first = try node.run(.harden(Self.parameters))
        XCTAssertRun(first.status == 0, first, "first run failed")
        XCTAssertRun(first.report.otherOutput.isEmpty, first, "stray output")
        let changed = Set(first.report.changes.map(\.control))
        for control in [
            "packages", "iscsid", "sshd", "sysctl", "modules", "modules.longhorn", "multipath", "apport",
            "apport.service", "swap", "upgrade-origins", "firewall",
        ] {
            XCTAssertRun(changed.contains(control), first, "\(control) did not change")
        }
        for handler in [
            "modules.load", "sysctl.apply", "multipathd.restart", "firewall.load", "firewall.enable", "ssh.reload",
        ] {
            XCTAssertRun(changed.contains(handler), first, "handler \(handler) did not run")
        }

        let sshd = try XCTUnwrap(node.read("/etc/ssh/sshd_config.d/00-hlsh.conf"))
        XCTAssertTrue(sshd.contains("PasswordAuthentication no\n"))
        XCTAssertTrue(sshd.contains("PermitRootLogin no\n"))
        // hlsh's own ProxyJump and `ssh -L` tunnels to the API need local forwarding.
        XCTAssertTrue(sshd.contains("AllowTcpForwarding local\n"), sshd)
        XCTAssertTrue(sshd.contains("KexAlgorithms sntrup761x25519-sha512@openssh.com,"))
        XCTAssertEqual(try node.mode("/etc/ssh/sshd_config.d/00-hlsh.conf"), 0o644)
        let sysctl = try XCTUnwrap(node.read("/etc/sysctl.d/90-hlsh.conf"))
        XCTAssertTrue(sysctl.contains("\nnet.ipv4.ip_forward=1\n"), "k3s needs forwarding")
        XCTAssertEqual(node.read("/proc/sys/net/ipv4/ip_forward"), "1\n")
        XCTAssertEqual(node.read("/proc/sys/net/bridge/bridge-nf-call-iptables"), "1\n")
        XCTAssertEqual(node.read("/proc/sys/kernel/kptr_restrict"), "2\n")
        XCTAssertEqual(node.read("/etc/modules-load.d/k3s.conf")?.contains("\noverlay\nbr_netfilter\n"), true)
        XCTAssertTrue(node.exists("/sys/module/br_netfilter") && node.exists("/sys/module/overlay"))
        // Longhorn: iscsi_tcp and dm_crypt loaded now and at boot; multipathd kept off its devices.
        XCTAssertEqual(node.read("/etc/modules-load.d/longhorn.conf")?.contains("\niscsi_tcp\ndm_crypt\n"), true)
        let lsmod = try runProcess(node.root.binDirectory + "/lsmod", [], environment: node.environment).stdout
        for module in ["iscsi_tcp", "dm_crypt", "br_netfilter", "overlay"] {
            XCTAssertTrue(lsmod.contains("\n\(module) "), "lsmod lacks \(module):\n\(lsmod)")
        }
        let multipath = try XCTUnwrap(node.read("/etc/multipath/conf.d/hlsh-longhorn.conf"))
        XCTAssertTrue(multipath.contains("blacklist {\n    devnode \"^sd[a-z0-9]+\"\n}\n"), multipath)
        XCTAssertEqual(node.commands().filter { $0 == "systemctl restart multipathd.service" }.count, 1)
        XCTAssertTrue(node.root.isActive("multipathd.service"))
        // apport would set fs.suid_dumpable back to 2 at every boot.
        XCTAssertTrue(try XCTUnwrap(node.read("/etc/default/apport")).contains("\nenabled=0\n"))
        XCTAssertFalse(node.root.isEnabled("apport.service") || node.root.isActive("apport.service"))
        XCTAssertEqual(node.read("/proc/sys/fs/suid_dumpable"), "0\n")
        XCTAssertEqual(node.read("/proc/swaps")?.split(separator: "\n").count, 1, "swap still on")
        XCTAssertTrue(try XCTUnwrap(node.read("/etc/fstab")).contains("# swap off (hlsh harden): /swap.img"))
        XCTAssertFalse(node.exists("/swap.img"))
        XCTAssertTrue(
            try XCTUnwrap(node.read("/etc/apt/apt.conf.d/52hlsh-unattended-upgrades"))
                .contains("Unattended-Upgrade::Automatic-Reboot \"false\";"))
        let firewall = try XCTUnwrap(node.read("/etc/hlsh/firewall.nft"))
        XCTAssertFalse(firewall.contains("flush ruleset"))
        XCTAssertTrue(firewall.contains("table inet hlsh\ndelete table inet hlsh\ntable inet hlsh {\n"))
        XCTAssertTrue(
            firewall.contains(
                "set nodes { type ipv4_addr; flags interval; elements = { 192.168.10.21, 192.168.10.22 } }"))
        XCTAssertTrue(firewall.contains("ip saddr @admin tcp dport { 22, 6443 } accept"))
        // Flannel masquerades pod traffic with the node's address: every host port of a node
        // (node-exporter's 9100, Longhorn's) may be reached from the others.
        XCTAssertTrue(firewall.contains("\t\tip saddr @nodes accept\n"), firewall)
        XCTAssertEqual(node.root.nftablesTables(), ["inet-hlsh"])
        XCTAssertTrue(node.root.isActive("iscsid.service"))
        XCTAssertEqual(node.commands().filter { $0 == "systemctl reload ssh.service" }.count, 1)

        let mark = node.commands().count
        let second = try node.run(.harden(Self.parameters))
        XCTAssertRun(second.status == 0 && second.report.allOK, second, "second run not all ok")
        XCTAssertEqual(SimulatedNode.mutating(node.commands(since: mark)), [], "second run changed the machine")
    }

    func testCheckModeChangesNothing() throws {
        let node = try SimulatedNode()
        let before = try node.snapshot()
        let check = try node.run(.harden(Self.parameters, checkMode: true))
        XCTAssertRun(check.status == 0, check, "check mode failed")
        XCTAssertSameTree(try node.snapshot(), before, "check mode changed the tree")
        XCTAssertEqual(SimulatedNode.mutating(node.commands()), [], "check mode ran a changing command")
        XCTAssertRun(!check.report.changes.isEmpty, check, "check mode saw nothing to change on a fresh node")
        for change in check.report.changes {
            XCTAssertRun(change.detail.hasPrefix("would "), check, "\(change) does not say would")
        }

        // After a real run, check mode finds everything in place.
        _ = try node.run(.harden(Self.parameters))
        let after = try node.run(.harden(Self.parameters, checkMode: true))
        XCTAssertRun(after.report.allOK, after, "check mode after a run is not all ok")
    }

    func testRejectedSSHSettingsKeepTheOldFileAndFail() throws {
        let node = try SimulatedNode()
        try node.root.write("etc/ssh/sshd_config.d/00-hlsh.conf", Array("# old\n".utf8), mode: 0o644)
        try node.root.setSupportedKexAlgorithms(["curve25519-sha256", "curve25519-sha256@libssh.org"])
        let run = try node.run(.harden(Self.parameters))
        XCTAssertRun(run.status == 1, run, "a rejected sshd config did not fail the run")
        let sshd = try XCTUnwrap(run.report.controls.first { $0.control == "sshd" })
        XCTAssertEqual(sshd.status, .failed)
        XCTAssertTrue(sshd.detail.contains("Bad SSH2 KexAlgorithms"), sshd.detail)
        XCTAssertEqual(node.read("/etc/ssh/sshd_config.d/00-hlsh.conf"), "# old\n")
        XCTAssertFalse(node.commands().contains { $0.hasPrefix("systemctl reload") }, "reloaded ssh anyway")
        XCTAssertTrue(
            run.report.controls.contains { $0.control == "firewall" && $0.status == .changed }, "stopped early")
        XCTAssertThrowsError(try run.report.check(exitStatus: run.status, node: "k3s-cp-01", script: .harden))
    }

    func testRejectedFirewallIsNotInstalled() throws {
        let node = try SimulatedNode()
        try node.root.injectFault("nft-check")
        let run = try node.run(.harden(Self.parameters))
        XCTAssertRun(run.status == 1, run, "an invalid ruleset did not fail the run")
        XCTAssertFalse(node.exists("/etc/hlsh/firewall.nft"))
        XCTAssertEqual(node.root.nftablesTables(), [])
    }

    func testFirewallLeavesOtherTablesAlone() throws {
        let node = try SimulatedNode()
        // iptables-nft tables as kube-proxy and flannel leave them.
        try node.root.write("var/lib/hlsh-sim/nft/ip-filter", Array("table ip filter {\n}\n".utf8), mode: 0o644)
        try node.root.write("var/lib/hlsh-sim/nft/ip-nat", Array("table ip nat {\n}\n".utf8), mode: 0o644)
        let run = try node.run(.harden(Self.parameters))
        XCTAssertRun(run.status == 0, run, "harden failed")
        XCTAssertEqual(node.root.nftablesTables(), ["inet-hlsh", "ip-filter", "ip-nat"])
    }

    /// Forwarding must stay on for k3s: a live value reset is re-applied, and a later sysctl.d
    /// file that turns it off is reported rather than silently winning.
    func testForwardingIsKeptAndOverridesAreReported() throws {
        let node = try SimulatedNode()
        _ = try node.run(.harden(Self.parameters))
        try node.root.write("proc/sys/net/ipv4/ip_forward", Array("0\n".utf8), mode: 0o644)
        let reapplied = try node.run(.harden(Self.parameters))
        XCTAssertRun(reapplied.status == 0, reapplied, "re-applying failed")
        XCTAssertTrue(reapplied.report.changes.map(\.control) == ["sysctl", "sysctl.apply"], "\(reapplied.report)")
        XCTAssertEqual(node.read("/proc/sys/net/ipv4/ip_forward"), "1\n")

        try node.root.write("etc/sysctl.d/99-local.conf", Array("net.ipv4.ip_forward = 0\n".utf8), mode: 0o644)
        try node.root.write("proc/sys/net/ipv4/ip_forward", Array("0\n".utf8), mode: 0o644)
        let overridden = try node.run(.harden(Self.parameters))
        XCTAssertRun(overridden.status == 1, overridden, "an override of ip_forward was not reported")
        let failure = try XCTUnwrap(overridden.report.failures.first)
        XCTAssertEqual(failure.control, "sysctl.apply")
        XCTAssertTrue(failure.detail.contains("net.ipv4.ip_forward is 0"), failure.detail)
    }

    /// apport.service sets fs.suid_dumpable=2 each time it starts: at every boot, after the
    /// sysctl files are applied. After harden, a boot must leave the node as harden left it.
    func testABootLeavesSuidDumpableAsHardenSetIt() throws {
        let node = try SimulatedNode()
        let first = try node.run(.harden(Self.parameters))
        XCTAssertRun(first.status == 0, first, "harden failed")
        // The boot: systemd starts the enabled units.
        let systemctl = node.root.binDirectory + "/systemctl"
        _ = try runProcess(systemctl, ["stop", "apport.service"], environment: node.environment)
        if node.root.isEnabled("apport.service") {
            _ = try runProcess(systemctl, ["start", "apport.service"], environment: node.environment)
        }
        let again = try node.run(.harden(Self.parameters))
        XCTAssertRun(again.status == 0 && again.report.allOK, again, "the boot undid part of harden")
        XCTAssertEqual(node.read("/proc/sys/fs/suid_dumpable"), "0\n")
    }

    /// An apt-daily run at first boot holds /var/lib/apt/lists/lock; `apt-get update` fails at
    /// once then (DPkg::Lock::Timeout covers only the dpkg lock), so harden waits for it.
    func testPackagesWaitForTheAptListsLock() throws {
        let node = try SimulatedNode()
        try node.root.injectFault("apt-lists-lock", detail: "2")
        let run = try node.run(.harden(Self.parameters))
        XCTAssertRun(run.status == 0, run, "a held lists lock failed harden")
        XCTAssertRun(run.report.changes.map(\.control).contains("packages"), run, "packages not installed")
        let updates = node.commands().filter { $0.hasPrefix("apt-get") && $0.contains(" update") }
        XCTAssertGreaterThan(updates.count, 1, "apt-get update was not retried: \(updates)")
    }

    /// The default-drop firewall must not cut hlsh off: refused, with the reason, when hlsh
    /// connects from outside the admin networks, nothing written or loaded.
    func testFirewallRefusesToCutOffAnAddressOutsideTheAdminNetworks() throws {
        let node = try SimulatedNode()
        let run = try node.run(
            .harden(Self.parameters), environment: ["SSH_CONNECTION": "10.9.9.9 50412 192.168.10.21 22"])
        XCTAssertRun(run.status == 1, run, "rules that cut hlsh off were not refused")
        let failure = try XCTUnwrap(run.report.failures.first)
        XCTAssertEqual(failure.control, "firewall")
        XCTAssertTrue(failure.detail.contains("10.9.9.9") && failure.detail.contains("192.168.10.0/24"), failure.detail)
        XCTAssertFalse(node.exists("/etc/hlsh/firewall.nft"))
        XCTAssertEqual(node.root.nftablesTables(), [])

        let inside = try node.run(
            .harden(Self.parameters), environment: ["SSH_CONNECTION": "192.168.10.5 50412 192.168.10.21 22"])
        XCTAssertRun(inside.status == 0, inside, "a client in the admin network was refused")
        XCTAssertEqual(node.root.nftablesTables(), ["inet-hlsh"])
    }

    /// Refused too when sshd does not listen on the port the rules open (on 24.04 ssh.socket
    /// holds it: a Port line alone does not move it).
    func testFirewallRefusesAPortSSHDoesNotListenOn() throws {
        let node = try SimulatedNode()
        var parameters = Self.parameters
        parameters.sshPort = 2222
        let run = try node.run(.harden(parameters))
        XCTAssertRun(run.status == 1, run, "rules opening a port sshd does not listen on were not refused")
        let failure = try XCTUnwrap(run.report.failures.first)
        XCTAssertEqual(failure.control, "firewall")
        XCTAssertTrue(failure.detail.contains("2222") && failure.detail.contains("ssh.socket"), failure.detail)
        XCTAssertEqual(node.root.nftablesTables(), [])
    }

    func testBadParametersAreAUsageError() throws {
        let node = try SimulatedNode()
        var parameters = Self.parameters
        parameters.adminCIDRs = []
        let run = try node.run(.harden(parameters))
        XCTAssertRun(run.status == 2, run, "missing admin network is not a usage error")
        XCTAssertTrue(run.stderr.contains("HLSH_ADMIN_CIDRS"))
        XCTAssertEqual(SimulatedNode.mutating(node.commands()), [])
    }
}

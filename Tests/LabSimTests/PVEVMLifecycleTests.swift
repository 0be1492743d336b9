import Foundation
import LabSim
import XCTest

/// The VM life cycle the homelab runbook drives: clone, configure, resize, start, wait for the
/// guest agent, stop, destroy — with the real server's answers on every path.
final class PVEVMLifecycleTests: XCTestCase {
    func testNextIDAcceptsFreeAndRefusesTakenIDs() throws {
        let sim = try PVESimFixture()
        XCTAssertEqual(try sim.request("GET", "/cluster/nextid", query: [("vmid", "123")]).body, #"{"data":"123"}"#)
        let taken = try sim.request("GET", "/cluster/nextid", query: [("vmid", "9000")])
        XCTAssertEqual(taken.status, 400)
        XCTAssertEqual(taken.reason, "Parameter verification failed.")
        XCTAssertEqual(taken.errors?["vmid"], "VM 9000 already exists")
        XCTAssertEqual(taken.message, "Parameter verification failed.\n")
        XCTAssertTrue(taken.body.hasPrefix(#"{"data":null,"#), taken.body)
    }

    func testCloneLocksTheNewVMUntilTheTaskEnds() throws {
        let sim = try PVESimFixture { $0.timings.cloneDuration = 1.5 }
        let reply = try sim.request(
            "POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("name", "k3s-cp-01"), ("full", "1")])
        XCTAssertEqual(reply.status, 200, reply.body)
        let upid = try XCTUnwrap(reply.data as? String)
        XCTAssertTrue(upid.hasPrefix("UPID:pve1:"), upid)
        XCTAssertTrue(upid.hasSuffix(":qmclone:9000:root@pam!hlsh:"), upid)

        let during = try sim.request("GET", "/nodes/pve1/qemu/101/config")
        XCTAssertEqual(during.dataObject?["lock"] as? String, "clone")
        let locked = try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("cores", "4")])
        XCTAssertEqual(locked.status, 500)
        XCTAssertEqual(locked.reason, "VM is locked (clone)")
        let again = try sim.request("POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101")])
        XCTAssertEqual(again.status, 500)
        XCTAssertEqual(again.message, "unable to create VM 101: config file already exists\n")
        let running = try sim.request("GET", "/nodes/pve1/tasks/\(upid)/status").dataObject
        XCTAssertEqual(running?["status"] as? String, "running")
        XCTAssertNil(running?["exitstatus"])

        let done = try sim.waitForTask(upid)
        XCTAssertEqual(done["exitstatus"] as? String, "OK")
        XCTAssertEqual(done["user"] as? String, "root@pam")
        XCTAssertEqual(done["tokenid"] as? String, "hlsh")
        XCTAssertEqual(try sim.taskLog(upid).last, "TASK OK")

        let config = try XCTUnwrap(try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject)
        XCTAssertNil(config["lock"])
        XCTAssertNil(config["template"])
        XCTAssertEqual(config["name"] as? String, "k3s-cp-01")
        XCTAssertEqual(config["memory"] as? String, "2048")
        XCTAssertEqual(config["cores"] as? Int, 2)
        XCTAssertEqual(config["scsi0"] as? String, "local-lvm:vm-101-disk-0,size=3584M")
        XCTAssertEqual(config["ide2"] as? String, "local-lvm:vm-101-cloudinit,media=cdrom")
        XCTAssertEqual((config["digest"] as? String)?.count, 40)

        let resources = try XCTUnwrap(
            try sim.request("GET", "/cluster/resources", query: [("type", "vm")]).data as? [[String: Any]])
        let entry = try XCTUnwrap(resources.first { $0["vmid"] as? Int == 101 })
        XCTAssertEqual(entry["id"] as? String, "qemu/101")
        XCTAssertEqual(entry["type"] as? String, "qemu")
        XCTAssertEqual(entry["template"] as? Int, 0)
        XCTAssertEqual(entry["node"] as? String, "pve1")
        XCTAssertEqual(entry["status"] as? String, "stopped")
        XCTAssertEqual(resources.first { $0["vmid"] as? Int == 9001 }?["node"] as? String, "pve2")
    }

    func testCloneValidatesNameAndPrechecks() throws {
        let sim = try PVESimFixture()
        let bad = try sim.request(
            "POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("name", "k3s_cp_01")])
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.errors?["name"], "invalid format - value does not look like a valid DNS name\n")
        let linkedStorage = try sim.request(
            "POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("storage", "local-lvm")])
        XCTAssertEqual(linkedStorage.status, 500)
        XCTAssertEqual(linkedStorage.reason, "parameter 'storage' not allowed for linked clones")
        let otherNode = try sim.request(
            "POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("target", "pve2"), ("full", "1")])
        XCTAssertEqual(otherNode.reason, "can't clone VM to node 'pve2' (VM uses local storage)")
        let wrongNode = try sim.request("POST", "/nodes/pve2/qemu/9000/clone", form: [("newid", "101")])
        XCTAssertEqual(wrongNode.reason, "Configuration file 'nodes/pve2/qemu-server/9000.conf' does not exist")
        let unknown = try sim.request("POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("bogus", "1")])
        XCTAssertEqual(
            unknown.errors?["bogus"],
            "property is not defined in schema and the schema does not allow additional properties")
        let missing = try sim.request("POST", "/nodes/pve1/qemu/9000/clone", form: [("name", "x")])
        XCTAssertEqual(missing.errors?["newid"], "property is missing and it is not optional")
    }

    func testLinkedCloneUsesTheBaseVolume() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 150, name: "linked", full: false)
        let config = try XCTUnwrap(try sim.request("GET", "/nodes/pve1/qemu/150/config").dataObject)
        XCTAssertEqual(config["scsi0"] as? String, "local-lvm:base-9000-disk-0/vm-150-disk-0,size=3584M")
    }

    func testConfigSSHKeysMustBeURLEncodedOnce() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 101, name: "k3s-cp-01")
        let encodedKey = PVESimFixture.percentEncode(testSSHKey)  // spaces → %20, then form-encoded again
        let put = try sim.request(
            "PUT", "/nodes/pve1/qemu/101/config",
            form: [
                ("sshkeys", encodedKey), ("ciuser", "ubuntu"), ("ipconfig0", "ip=10.0.0.10/24,gw=10.0.0.1"),
                ("nameserver", "10.0.0.1"), ("ciupgrade", "0"), ("cores", "4"), ("memory", "8192"), ("agent", "1"),
                ("scsihw", "virtio-scsi-single"), ("tags", "K3s;control-plane,k3s"), ("onboot", "1"),
            ])
        XCTAssertEqual(put.status, 200, put.body)
        let config = try XCTUnwrap(try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject)
        XCTAssertEqual(config["sshkeys"] as? String, encodedKey)
        XCTAssertEqual(config["memory"] as? String, "8192")
        XCTAssertEqual(config["cores"] as? Int, 4)
        XCTAssertEqual(config["agent"] as? String, "1")
        XCTAssertEqual(config["onboot"] as? Int, 1)
        XCTAssertEqual(config["tags"] as? String, "control-plane;k3s")

        let raw = try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("sshkeys", testSSHKey)])
        XCTAssertEqual(raw.status, 400)
        XCTAssertEqual(raw.errors?["sshkeys"], "invalid format - invalid urlencoded string: \(testSSHKey)\n")

        let plus = try sim.request(
            "PUT", "/nodes/pve1/qemu/101/config",
            form: [("sshkeys", testSSHKey.replacingOccurrences(of: " ", with: "+"))])
        XCTAssertEqual(plus.status, 400, "a '+' for a space survives form decoding and is not in the allowed set")

        let notAKey = try sim.request(
            "PUT", "/nodes/pve1/qemu/101/config", form: [("sshkeys", PVESimFixture.percentEncode("hello world"))])
        XCTAssertEqual(notAKey.status, 500)
        XCTAssertEqual(notAKey.reason, "SSH public key validation error")

        let json = try sim.request(
            "PUT", "/nodes/pve1/qemu/101/config", body: #"{"sshkeys":"\#(encodedKey)","cores":2}"#,
            contentType: "application/json")
        XCTAssertEqual(json.status, 200, json.body)

        let user = try XCTUnwrap(
            try sim.request("GET", "/nodes/pve1/qemu/101/cloudinit/dump", query: [("type", "user")]).data as? String)
        XCTAssertTrue(user.hasPrefix("#cloud-config\nhostname: k3s-cp-01\n"), user)
        XCTAssertTrue(user.contains("user: ubuntu\n"), user)
        XCTAssertTrue(user.contains("ssh_authorized_keys:\n  - \(testSSHKey)\n"), user)
        XCTAssertFalse(user.contains("package_upgrade"), user)
        let network = try XCTUnwrap(
            try sim.request("GET", "/nodes/pve1/qemu/101/cloudinit/dump", query: [("type", "network")]).data as? String)
        XCTAssertTrue(
            network.contains(
                "      - type: static\n        address: '10.0.0.10'\n        netmask: '255.255.255.0'\n        gateway: '10.0.0.1'\n"
            ), network)
        XCTAssertTrue(network.contains("      address:\n      - '10.0.0.1'\n"), network)
    }

    func testConfigValidationWordingAndDigest() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 101, name: "vm")
        let bad = try sim.request(
            "PUT", "/nodes/pve1/qemu/101/config",
            form: [
                ("cores", "0"), ("sockets", "two"), ("scsihw", "fast"), ("memory", "8"),
                ("ipconfig0", "ip=10.0.0.300/24"), ("foo", "1"),
            ])
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.errors?["cores"], "value must have a minimum value of 1")
        XCTAssertEqual(bad.errors?["sockets"], "type check ('integer') failed - got 'two'")
        XCTAssertEqual(
            bad.errors?["scsihw"],
            "value 'fast' does not have a value in the enumeration 'lsi, lsi53c810, virtio-scsi-pci, virtio-scsi-single, megasas, pvscsi'"
        )
        XCTAssertEqual(
            bad.errors?["memory"],
            "invalid format - format error\nmemory.current: value must have a minimum value of 16\n")
        XCTAssertEqual(
            bad.errors?["ipconfig0"],
            "invalid format - format error\nipconfig0.ip: invalid format - value does not look like a valid ipv4 network configuration\n\n"
        )
        XCTAssertEqual(
            bad.errors?["foo"], "property is not defined in schema and the schema does not allow additional properties")

        let unknownDelete = try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("delete", "tags,frobs")])
        XCTAssertEqual(unknownDelete.errors?["delete"], "unknown option 'frobs'")
        let both = try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("delete", "cores"), ("cores", "2")])
        XCTAssertEqual(both.errors?["delete"], "you can't use '-cores' and -delete cores' at the same time")
        let nothing = try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [])
        XCTAssertEqual(nothing.reason, "no options specified")

        let stale = try sim.request(
            "PUT", "/nodes/pve1/qemu/101/config", form: [("cores", "3"), ("digest", String(repeating: "0", count: 40))])
        XCTAssertEqual(stale.status, 500)
        XCTAssertEqual(stale.reason, "checksum mismatch (file change by other user?)")
        let digest = try XCTUnwrap(
            try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject?["digest"] as? String)
        XCTAssertEqual(
            try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("cores", "3"), ("digest", digest)]).status,
            200)
        let after = try XCTUnwrap(
            try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject?["digest"] as? String)
        XCTAssertNotEqual(after, digest)
    }

    func testAsyncConfigAllocatesADataDisk() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 101, name: "vm")
        let post = try sim.request(
            "POST", "/nodes/pve1/qemu/101/config", form: [("scsi1", "local-lvm:100,iothread=1,discard=on")])
        let upid = try XCTUnwrap(post.data as? String, post.body)
        XCTAssertTrue(upid.contains(":qmconfig:101:"), upid)
        XCTAssertEqual(try sim.waitForTask(upid)["exitstatus"] as? String, "OK")
        let config = try XCTUnwrap(try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject)
        XCTAssertEqual(config["scsi1"] as? String, "local-lvm:vm-101-disk-1,discard=on,iothread=1,size=100G")
        XCTAssertTrue(try sim.taskLog(upid).contains("  Logical volume \"vm-101-disk-1\" created."))
    }

    func testResizeGrowsAndRefusesToShrinkInTheTask() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 101, name: "vm")
        let grow = try XCTUnwrap(
            try sim.request("PUT", "/nodes/pve1/qemu/101/resize", form: [("disk", "scsi0"), ("size", "50G")]).data
                as? String)
        XCTAssertEqual(try sim.waitForTask(grow)["exitstatus"] as? String, "OK")
        XCTAssertEqual(
            try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject?["scsi0"] as? String,
            "local-lvm:vm-101-disk-0,size=50G")

        let plus = try XCTUnwrap(
            try sim.request("PUT", "/nodes/pve1/qemu/101/resize", form: [("disk", "scsi0"), ("size", "+2G")]).data
                as? String)
        XCTAssertEqual(try sim.waitForTask(plus)["exitstatus"] as? String, "OK")

        let same = try XCTUnwrap(
            try sim.request("PUT", "/nodes/pve1/qemu/101/resize", form: [("disk", "scsi0"), ("size", "52G")]).data
                as? String)
        XCTAssertEqual(try sim.waitForTask(same)["exitstatus"] as? String, "OK")

        let shrink = try sim.request("PUT", "/nodes/pve1/qemu/101/resize", form: [("disk", "scsi0"), ("size", "10G")])
        XCTAssertEqual(shrink.status, 200, "shrinking is refused by the task, not by the request")
        let upid = try XCTUnwrap(shrink.data as? String)
        XCTAssertEqual(try sim.waitForTask(upid)["exitstatus"] as? String, "shrinking disks is not supported")
        XCTAssertEqual(try sim.taskLog(upid).last, "TASK ERROR: shrinking disks is not supported")

        let pattern = try sim.request("PUT", "/nodes/pve1/qemu/101/resize", form: [("disk", "scsi0"), ("size", "ten")])
        XCTAssertEqual(pattern.errors?["size"], "value does not match the regex pattern")
    }

    func testStartAgentStopDestroy() throws {
        let sim = try PVESimFixture { $0.timings.bootDelay = 1.5 }
        try sim.cloneTemplate(newid: 101, name: "k3s-cp-01")
        XCTAssertEqual(
            try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("ipconfig0", "ip=10.0.0.10/24,gw=10.0.0.1")])
                .status,
            200)

        let stoppedAgent = try sim.request("GET", "/nodes/pve1/qemu/101/agent/network-get-interfaces")
        XCTAssertEqual(stoppedAgent.reason, "VM 101 is not running")

        let start = try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/start").data as? String)
        XCTAssertTrue(start.contains(":qmstart:101:"), start)
        XCTAssertEqual(try sim.waitForTask(start)["exitstatus"] as? String, "OK")
        let current = try XCTUnwrap(try sim.request("GET", "/nodes/pve1/qemu/101/status/current").dataObject)
        XCTAssertEqual(current["status"] as? String, "running")
        XCTAssertEqual(current["qmpstatus"] as? String, "running")
        XCTAssertEqual(current["agent"] as? Int, 1)

        let early = try sim.request("GET", "/nodes/pve1/qemu/101/agent/network-get-interfaces")
        XCTAssertEqual(early.status, 500)
        XCTAssertEqual(early.reason, "QEMU guest agent is not running")

        let again = try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/start").data as? String)
        XCTAssertEqual(try sim.waitForTask(again)["exitstatus"] as? String, "VM 101 already running")

        var interfaces: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let reply = try sim.request("GET", "/nodes/pve1/qemu/101/agent/network-get-interfaces")
            if reply.status == 200 {
                interfaces = (reply.dataObject?["result"] as? [[String: Any]]) ?? []
                break
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let eth0 = try XCTUnwrap(interfaces.first { $0["name"] as? String == "eth0" })
        let addresses = try XCTUnwrap(eth0["ip-addresses"] as? [[String: Any]])
        XCTAssertTrue(addresses.contains { $0["ip-address"] as? String == "10.0.0.10" && $0["prefix"] as? Int == 24 })
        XCTAssertTrue(addresses.contains { ($0["ip-address"] as? String)?.hasPrefix("fe80::") == true })
        XCTAssertNotNil(interfaces.first { $0["name"] as? String == "lo" })

        let destroyRunning = try sim.request("DELETE", "/nodes/pve1/qemu/101", query: [("purge", "1")])
        XCTAssertEqual(destroyRunning.status, 500)
        XCTAssertEqual(destroyRunning.reason, "VM 101 is running - destroy failed")

        let stop = try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/stop").data as? String)
        XCTAssertEqual(try sim.waitForTask(stop)["exitstatus"] as? String, "OK")
        XCTAssertEqual(
            try sim.request("GET", "/nodes/pve1/qemu/101/status/current").dataObject?["status"] as? String, "stopped")
        let stopAgain = try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/shutdown").data as? String)
        XCTAssertEqual(try sim.waitForTask(stopAgain)["exitstatus"] as? String, "OK")

        let destroy = try XCTUnwrap(
            try sim.request(
                "DELETE", "/nodes/pve1/qemu/101", query: [("purge", "1"), ("destroy-unreferenced-disks", "1")]
            )
            .data as? String)
        XCTAssertEqual(try sim.waitForTask(destroy)["exitstatus"] as? String, "OK")
        let gone = try sim.request("GET", "/nodes/pve1/qemu/101/config")
        XCTAssertEqual(gone.status, 500)
        XCTAssertEqual(gone.reason, "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist")
    }

    func testPendingChangesWaitForTheNextStart() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 101, name: "vm")
        let start = try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/start").data as? String)
        _ = try sim.waitForTask(start)
        XCTAssertEqual(
            try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("cores", "6"), ("onboot", "1")]).status, 200)
        let current = try XCTUnwrap(
            try sim.request("GET", "/nodes/pve1/qemu/101/config", query: [("current", "1")]).dataObject)
        XCTAssertEqual(current["cores"] as? Int, 2)
        XCTAssertEqual(current["onboot"] as? Int, 1)
        XCTAssertEqual(try sim.request("GET", "/nodes/pve1/qemu/101/config").dataObject?["cores"] as? Int, 6)
        let pending = try XCTUnwrap(try sim.request("GET", "/nodes/pve1/qemu/101/pending").data as? [[String: Any]])
        XCTAssertEqual(pending.first { $0["key"] as? String == "cores" }?["pending"] as? Int, 6)

        let reboot = try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/reboot").data as? String)
        XCTAssertEqual(try sim.waitForTask(reboot)["exitstatus"] as? String, "OK")
        XCTAssertEqual(
            try sim.request("GET", "/nodes/pve1/qemu/101/config", query: [("current", "1")]).dataObject?["cores"]
                as? Int, 6)
    }

    func testShutdownTimeoutFailsUnlessForced() throws {
        let sim = try PVESimFixture { $0.guestsHonourShutdown = false }
        try sim.cloneTemplate(newid: 101, name: "vm")
        _ = try sim.waitForTask(
            try XCTUnwrap(try sim.request("POST", "/nodes/pve1/qemu/101/status/start").data as? String))
        let plain = try XCTUnwrap(
            try sim.request("POST", "/nodes/pve1/qemu/101/status/shutdown", form: [("timeout", "1")]).data as? String)
        XCTAssertEqual(try sim.waitForTask(plain)["exitstatus"] as? String, "VM quit/powerdown failed - got timeout")
        let forced = try XCTUnwrap(
            try sim.request(
                "POST", "/nodes/pve1/qemu/101/status/shutdown", form: [("timeout", "1"), ("forceStop", "1")]
            )
            .data as? String)
        XCTAssertEqual(try sim.waitForTask(forced)["exitstatus"] as? String, "WARNINGS: 1")
        XCTAssertEqual(try sim.taskLog(forced).last, "TASK WARNINGS: 1")
    }

    func testProtectionBlocksDestroy() throws {
        let sim = try PVESimFixture()
        try sim.cloneTemplate(newid: 101, name: "vm")
        XCTAssertEqual(try sim.request("PUT", "/nodes/pve1/qemu/101/config", form: [("protection", "1")]).status, 200)
        let reply = try sim.request("DELETE", "/nodes/pve1/qemu/101")
        XCTAssertEqual(reply.status, 500)
        XCTAssertEqual(reply.reason, "can't remove VM 101 - protection mode enabled")
    }
}

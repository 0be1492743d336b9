import Foundation
import LabSim
import TestSupport
import XCTest

/// The simulator driven by proxmoxer (PyPI), a client written by third parties against real
/// PVE: over HTTPS with the simulator's CA, with an API token and with a password ticket.
///
/// The virtualenv lives at `$HLSH_VENV`, else `<package root>/.build/venv`; it is created with
/// `pip install proxmoxer requests` when missing and reused after that.
final class ProxmoxerTests: XCTestCase {
    static let script = #"""
        import json, sys, urllib.parse
        from proxmoxer import ProxmoxAPI, ResourceException
        from proxmoxer.tools import Tasks

        host, port, ca, secret, password, key = sys.argv[1:7]
        out = {}

        def wait(px, upid):
            return Tasks.blocking_status(px, upid, timeout=60, polling_interval=0.2)

        px = ProxmoxAPI(host, port=int(port), user="root@pam", token_name="hlsh", token_value=secret,
                        verify_ssl=ca, service="PVE", timeout=30)
        out["version"] = px.version.get()["version"]
        out["nodes"] = sorted(n["node"] for n in px.nodes.get())
        templates = [r for r in px.cluster.resources.get(type="vm") if r.get("template") == 1]
        out["templates"] = sorted((t["vmid"], t["node"], t["name"]) for t in templates)

        newid = int(px.cluster.nextid.get())
        out["newid"] = newid
        vm = px.nodes("pve1").qemu(newid)
        upid = px.nodes("pve1").qemu(9000).clone.post(newid=newid, name="k3s-cp-01", full=1, storage="local-lvm")
        out["clone_upid"] = upid
        out["clone"] = wait(px, upid)["exitstatus"]

        encoded = urllib.parse.quote(key, safe="")
        vm.config.put(cores=4, memory=8192, sshkeys=encoded, ciuser="ubuntu", ciupgrade=0, agent=1,
                      ipconfig0="ip=10.0.0.10/24,gw=10.0.0.1", nameserver="10.0.0.1", onboot=1)
        upid = vm.config.post(scsi1="local-lvm:100,iothread=1,discard=on")
        out["config_task"] = wait(px, upid)["exitstatus"]
        upid = vm.resize.put(disk="scsi0", size="50G")
        out["resize"] = wait(px, upid)["exitstatus"]
        config = vm.config.get()
        out["config"] = {k: config.get(k) for k in ("sshkeys", "memory", "cores", "scsi0", "scsi1", "lock")}
        out["sshkeys_match"] = config["sshkeys"] == encoded

        try:
            vm.config.put(sshkeys=key)
            out["raw_key"] = "accepted"
        except ResourceException as e:
            out["raw_key"] = {"status": e.status_code, "errors": e.errors}

        upid = vm.status.start.post()
        out["start"] = wait(px, upid)["exitstatus"]
        out["status"] = vm.status.current.get()["status"]
        out["userdata"] = vm.cloudinit.dump.get(type="user")
        log = px.nodes("pve1").tasks(upid).log.get(start=0, limit=50)
        out["start_log_last"] = log[-1]["t"]

        # A password login: proxmoxer keeps the ticket cookie and sends CSRFPreventionToken.
        pw = ProxmoxAPI(host, port=int(port), user="root@pam", password=password, verify_ssl=ca, timeout=30)
        pw.nodes("pve1").qemu(newid).config.put(description="rehearsed by proxmoxer")
        out["description"] = px.nodes("pve1").qemu(newid).config.get()["description"]

        try:
            vm.delete(purge=1)
            out["destroy_running"] = "accepted"
        except ResourceException as e:
            out["destroy_running"] = {"status": e.status_code, "message": e.content}
        out["stop"] = wait(px, vm.status.stop.post())["exitstatus"]
        out["destroy"] = wait(px, vm.delete(purge=1, **{"destroy-unreferenced-disks": 1}))["exitstatus"]
        print(json.dumps(out))
        """#

    func testProxmoxerDrivesTheSimulatorOverHTTPS() throws {
        let python = try Self.venvPython()
        let sim = try PVESimFixture(tls: true)
        let script = try sim.dir.write("drive.py", Self.script)
        let ca = try XCTUnwrap(sim.endpoint.caPath)
        let result = try runProcess(
            python,
            [
                script, "127.0.0.1", String(sim.endpoint.port), ca, PVESimFixture.tokenSecret, PVESimFixture.password,
                testSSHKey,
            ])
        XCTAssertEqual(result.status, 0, "proxmoxer script failed:\n\(result.stderr)")
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let out = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            "no JSON from the script: \(result.stdout)")

        XCTAssertEqual(out["nodes"] as? [String], ["pve1", "pve2"])
        XCTAssertEqual(out["newid"] as? Int, 100)
        XCTAssertEqual(out["clone"] as? String, "OK")
        XCTAssertTrue((out["clone_upid"] as? String)?.hasPrefix("UPID:pve1:") == true)
        XCTAssertEqual(out["config_task"] as? String, "OK")
        XCTAssertEqual(out["resize"] as? String, "OK")
        let config = try XCTUnwrap(out["config"] as? [String: Any])
        XCTAssertEqual(config["memory"] as? String, "8192")
        XCTAssertEqual(config["cores"] as? Int, 4)
        XCTAssertEqual(config["scsi0"] as? String, "local-lvm:vm-100-disk-0,size=50G")
        XCTAssertEqual(config["scsi1"] as? String, "local-lvm:vm-100-disk-1,discard=on,iothread=1,size=100G")
        XCTAssertTrue(config["lock"] is NSNull)
        XCTAssertEqual(out["sshkeys_match"] as? Bool, true)
        let raw = try XCTUnwrap(out["raw_key"] as? [String: Any])
        XCTAssertEqual(raw["status"] as? Int, 400)
        XCTAssertTrue(
            "\(raw["errors"] ?? "")".contains("invalid format - invalid urlencoded string"), "\(raw["errors"] ?? "")")
        XCTAssertEqual(out["start"] as? String, "OK")
        XCTAssertEqual(out["status"] as? String, "running")
        XCTAssertEqual(out["start_log_last"] as? String, "TASK OK")
        XCTAssertTrue((out["userdata"] as? String)?.contains("  - \(testSSHKey)\n") == true, "\(out["userdata"] ?? "")")
        XCTAssertEqual(out["description"] as? String, "rehearsed by proxmoxer")
        let destroyRunning = try XCTUnwrap(out["destroy_running"] as? [String: Any])
        XCTAssertEqual(destroyRunning["status"] as? Int, 500)
        XCTAssertEqual(destroyRunning["message"] as? String, "VM 100 is running - destroy failed")
        XCTAssertEqual(out["stop"] as? String, "OK")
        XCTAssertEqual(out["destroy"] as? String, "OK")
    }

    /// `$HLSH_VENV/bin/python`, or `<package root>/.build/venv/bin/python`, made on first use.
    static func venvPython() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let venv =
            ProcessInfo.processInfo.environment["HLSH_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? root + "/.build/venv"
        let python = venv + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: python),
            (try? runProcess(python, ["-c", "import proxmoxer, requests"]))?.status == 0
        {
            return python
        }
        let created = try runProcess("/usr/bin/env", ["python3", "-m", "venv", venv])
        guard created.status == 0 else { throw SetupError("cannot create a Python venv at \(venv): \(created.stderr)") }
        let pip = try runProcess(
            venv + "/bin/pip", ["install", "--disable-pip-version-check", "--quiet", "proxmoxer", "requests"])
        guard pip.status == 0 else { throw SetupError("pip install proxmoxer requests failed:\n\(pip.stderr)") }
        return python
    }
}

/// The test's own setup failed (no venv, no pip): a failure, not a skip — this test is required.
struct SetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

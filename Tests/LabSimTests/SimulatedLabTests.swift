import Foundation
import LabSim
import TestSupport
import XCTest

/// `SimulatedLab` owns a whole simulated lab: it starts the PVE API and the nodes that follow its
/// guests, hands out the environment that reaches them, and on `stop` ends every server and
/// removes its directory — once, however often it is called. Driven with curl and OpenSSH only.
final class SimulatedLabTests: XCTestCase {
    func testStartServesPVEAndNodesAndStopLeavesNothing() throws {
        let parent = try TemporaryDirectory("hlsh-lab-parent")
        let lab = try SimulatedLab.temporary(
            SimulatedLab.Options(pve: .seedLab(timings: .fastTest)), under: parent.path)
        var stopped = false
        defer { if !stopped { lab.stop() } }
        XCTAssertTrue(lab.directory.hasPrefix(parent.path + "/hlsh-sim-"), lab.directory)
        let env = lab.environment

        // The PVE API answers over HTTPS with the lab's CA and token.
        let version = try api(env, "GET", "version")
        let pvePort = UInt16(try XCTUnwrap(lab.pve.endpoint).port)
        XCTAssertTrue(version.contains(#""version":"#), version)

        // A VM that boots gets an SSH server reachable through the lab's ssh_config.
        let key = parent.file("id_ed25519")
        XCTAssertEqual(try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status, 0)
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try api(env, "POST", "nodes/pve1/qemu/9000/clone", ["newid=201", "name=k3s-cp-01", "full=1"])
        try waitUntil("the clone to finish") {
            let config = (try? self.api(env, "GET", "nodes/pve1/qemu/201/config")) ?? ""
            return config.contains(#""name":"k3s-cp-01""#) && !config.contains(#""lock""#)
        }
        let sshkeys = publicKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? publicKey
        _ = try api(
            env, "PUT", "nodes/pve1/qemu/201/config",
            ["ciuser=ubuntu", "ipconfig0=ip=192.168.10.21/24,gw=192.168.10.1", "sshkeys=\(sshkeys)"])
        _ = try api(env, "POST", "nodes/pve1/qemu/201/status/start")
        let nodes = try XCTUnwrap(lab.nodes)
        try waitUntil("k3s-cp-01's SSH server") { nodes.port(of: "k3s-cp-01") != nil }
        let ssh = try spawnAndWait(
            "/usr/bin/ssh",
            [
                "-F", try XCTUnwrap(env["HLSH_SSH_CONFIG"]), "-i", key, "-o", "IdentitiesOnly=yes", "-o",
                "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=10", "k3s-cp-01",
                "echo up",
            ])
        XCTAssertEqual(ssh.status, 0, ssh.stderr)
        XCTAssertEqual(ssh.stdout, "up\n")
        XCTAssertFalse(processes(under: lab.directory).isEmpty, "the node's sshd runs from the lab's directory")

        // A VM whose stop task reads OK takes no more logins: its sshd is gone before the answer,
        // not up to a node pass (200 ms) later.
        let sshPort = try XCTUnwrap(nodes.port(of: "k3s-cp-01"))
        let stop = try api(env, "POST", "nodes/pve1/qemu/201/status/stop")
        let upid = try XCTUnwrap(stop.split(separator: "\"").first { $0.hasPrefix("UPID:") }, stop)
        let encoded = upid.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? String(upid)
        try waitUntil("the stop task to finish") {
            let status = (try? self.api(env, "GET", "nodes/pve1/tasks/\(encoded)/status")) ?? ""
            guard status.contains(#""exitstatus":"OK""#) else { return false }
            XCTAssertFalse(acceptsConnections(port: sshPort), "the stopped VM's sshd still answers")
            return true
        }
        XCTAssertNil(nodes.port(of: "k3s-cp-01"))

        // Stop ends every server and removes the directory; a second stop changes nothing.
        lab.stop()
        stopped = true
        XCTAssertFalse(FileManager.default.fileExists(atPath: lab.directory))
        XCTAssertEqual(processes(under: lab.directory), [])
        XCTAssertFalse(waitForListener(port: pvePort, timeout: 0.3), "the PVE API no longer listens")
        XCTAssertNil(nodes.port(of: "k3s-cp-01"), "the nodes no longer serve")
        lab.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: lab.directory))
    }

    /// A lab that cannot start (its port is taken) stops what it started and leaves no directory.
    func testALabThatCannotStartLeavesNoDirectory() throws {
        let parent = try TemporaryDirectory("hlsh-lab-parent")
        let taken = try TCPListener()
        var options = SimulatedLab.Options(pve: .seedLab(timings: .fastTest))
        options.pvePort = Int(taken.port)
        XCTAssertThrowsError(try SimulatedLab.temporary(options, under: parent.path)) { error in
            XCTAssertTrue("\(error)".contains("cannot listen"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.path), [])
        withExtendedLifetime(taken) {}
    }

    /// A lab in a directory of the caller's (`sim serve --dir`) writes `DIR/env` for other tools
    /// and keeps the directory when it stops.
    func testALabInAGivenDirectoryWritesItsEnvironmentAndKeepsTheDirectory() throws {
        let dir = try TemporaryDirectory("hlsh-lab-serve")
        let lab = try SimulatedLab.start(SimulatedLab.Options(pve: .seedLab(timings: .fastTest)), in: dir.path)
        try lab.writeEnvironment()
        let sourced = try runProcess(
            "/bin/sh",
            [
                "-c",
                #". "$0/env" && test -f "$HLSH_SSH_CONFIG" && curl -sS --cacert "$HLSH_PVE_CA_FILE" -H "Authorization: PVEAPIToken=$PROXMOX_VE_API_TOKEN" "${PROXMOX_VE_ENDPOINT}api2/json/version""#,
                dir.path,
            ])
        XCTAssertTrue(sourced.stdout.contains(#""version":"#), sourced.stdout + sourced.stderr)
        lab.stop()
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("env")))
    }

    /// The lab's Kubernetes API: `DIR/kubeconfig` works for kubectl as it is, the API stops with
    /// the lab, and a lab started again in the same directory keeps its CAs, so the kubeconfig
    /// written before still works.
    func testTheLabsKubeconfigServesKubectlAndOutlivesARestartInTheSameDirectory() throws {
        let kubectl = try Kubectl.path()
        let dir = try TemporaryDirectory("hlsh-lab-kube")
        func getNamespaces() throws -> ProcessResult {
            try runProcess(
                kubectl,
                ["--kubeconfig", dir.file("kubeconfig"), "--cache-dir", dir.file("cache"), "get", "namespaces"],
                environment: ["HOME": dir.path, "PATH": "/usr/bin:/bin"])
        }
        let options = SimulatedLab.Options(pve: .seedLab(timings: .fastTest), nodeImage: nil)
        var lab = try SimulatedLab.start(options, in: dir.path)
        let port = try XCTUnwrap(lab.kube?.endpoint?.port)
        XCTAssertEqual(
            lab.environment["HLSH_SIM_KUBE_CONNECT_TO"], "192.168.10.21:6443:127.0.0.1:\(port)")
        let config = try String(contentsOfFile: dir.file("kubeconfig"), encoding: .utf8)
        XCTAssertTrue(config.contains("server: https://127.0.0.1:\(port)"), config)
        let listed = try getNamespaces()
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("default"), listed.stdout)
        lab.stop()
        XCTAssertFalse(waitForListener(port: UInt16(port), timeout: 0.3), "the Kubernetes API no longer listens")

        let written = config
        lab = try SimulatedLab.start(options, in: dir.path)
        defer { lab.stop() }
        let again = try String(contentsOfFile: dir.file("kubeconfig"), encoding: .utf8)
        XCTAssertEqual(
            written.split(separator: "\n").filter { $0.contains("-data:") },
            again.split(separator: "\n").filter { $0.contains("-data:") }, "the same CA and admin certificate")
        let relisted = try getNamespaces()
        XCTAssertEqual(relisted.status, 0, relisted.stderr)
    }

    // MARK: Helpers

    /// One API call with curl, authenticated and trusted through the lab's environment.
    private func api(_ env: [String: String], _ method: String, _ path: String, _ form: [String] = []) throws
        -> String
    {
        let endpoint = try XCTUnwrap(env["PROXMOX_VE_ENDPOINT"])
        var args = [
            "-sS", "--fail-with-body", "--max-time", "20", "-X", method, "--cacert",
            try XCTUnwrap(env["HLSH_PVE_CA_FILE"]), "-H",
            "Authorization: PVEAPIToken=\(try XCTUnwrap(env["PROXMOX_VE_API_TOKEN"]))",
        ]
        for field in form { args += ["--data-urlencode", field] }
        args.append(endpoint + "api2/json/" + path)
        let result = try runProcess("/usr/bin/curl", args)
        guard result.status == 0 else {
            throw NSError(
                domain: "curl", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.stderr])
        }
        return result.stdout
    }

    /// Processes whose command line names a file in `directory` (a node's sshd and its tether).
    private func processes(under directory: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            return line.contains(directory + "/")
        }
    }

    private func waitUntil(_ what: String, timeout: TimeInterval = 30, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("timed out waiting for \(what)")
        throw XCTSkip("precondition not met")
    }
}

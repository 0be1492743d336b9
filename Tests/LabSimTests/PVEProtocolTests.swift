import Foundation
import LabSim
import TestSupport
import XCTest

/// pveproxy's HTTP rules, the error shapes, TLS and fault injection.
final class PVEProtocolTests: XCTestCase {
    func testGETWithBodyIs501() throws {
        let sim = try PVESimFixture()
        let reply = try sim.request("GET", "/nodes", body: "a=1", contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(reply.status, 501)
        XCTAssertEqual(reply.reason, "Unexpected content for method 'GET'")
        XCTAssertEqual(reply.body, "Unexpected content for method 'GET'")
        let delete = try sim.request(
            "DELETE", "/nodes/pve1/qemu/9000", body: "purge=1", contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(delete.reason, "Unexpected content for method 'DELETE'")
    }

    /// pveproxy refuses a body over 64 KiB as "for data too large" (`$limit_max_post`), and reads
    /// no more of it than that.
    func testAPostOver64KiBIsRefusedAsTooLarge() throws {
        let sim = try PVESimFixture()
        let big = "description=" + String(repeating: "x", count: 64 * 1024)
        let reply = try sim.request(
            "POST", "/nodes/pve1/qemu/9000/config", body: big, contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(reply.status, 501)
        XCTAssertEqual(reply.reason, "for data too large")
    }

    func testOlderPVEKeepsErrorTextOutOfTheBody() throws {
        let sim = try PVESimFixture { $0.messageInBody = false }
        let reply = try sim.request("GET", "/nodes", body: "a=1", contentType: "application/x-www-form-urlencoded")
        XCTAssertEqual(reply.reason, "Unexpected content for method 'GET'")
        XCTAssertEqual(reply.body, "")
        let missing = try sim.request("GET", "/nodes/pve1/qemu/555/config")
        XCTAssertEqual(missing.status, 500)
        XCTAssertEqual(missing.reason, "Configuration file 'nodes/pve1/qemu-server/555.conf' does not exist")
        XCTAssertEqual(missing.body, #"{"data":null}"#)
    }

    func testUnknownMethodAndNodeAndVMID() throws {
        let sim = try PVESimFixture()
        let unknown = try sim.request("GET", "/nodes/pve1/frobnicate")
        XCTAssertEqual(unknown.status, 501)
        XCTAssertEqual(unknown.reason, "Method 'GET /nodes/pve1/frobnicate' not implemented")
        let node = try sim.request("GET", "/nodes/pve9/qemu/9000/config")
        XCTAssertEqual(node.status, 500)
        XCTAssertTrue(node.reason.hasPrefix("hostname lookup 'pve9' failed"), node.reason)
        let vmid = try sim.request("GET", "/nodes/pve1/qemu/42/config")
        XCTAssertEqual(vmid.status, 400)
        XCTAssertEqual(vmid.errors?["vmid"], "invalid format - value does not look like a valid VM ID\n")
        let noFormat = try runProcess("/usr/bin/curl", ["-sS", "-i", sim.endpoint.url + "api2/"])
        XCTAssertTrue(noFormat.stdout.hasPrefix("HTTP/1.1 501 no such uri\r\n"), noFormat.stdout)
        let domains = try sim.request("GET", "/access/domains", auth: .none)
        XCTAssertEqual((domains.data as? [[String: Any]])?.compactMap { $0["realm"] as? String }, ["pam", "pve"])
    }

    func testErrorShapeForParameterErrors() throws {
        let sim = try PVESimFixture()
        let reply = try sim.request("GET", "/cluster/resources", query: [("type", "vms")])
        XCTAssertEqual(reply.status, 400)
        XCTAssertEqual(reply.reason, "Parameter verification failed.")
        let json = try XCTUnwrap(reply.json)
        XCTAssertTrue(json["data"] is NSNull)
        XCTAssertEqual(reply.message, "Parameter verification failed.\n")
        XCTAssertEqual(
            reply.errors, ["type": "value 'vms' does not have a value in the enumeration 'vm, storage, node, sdn'"])
        XCTAssertEqual(reply.headers["connection"], "close")
    }

    func testFaultInjectionThroughTheAdminSurface() throws {
        let sim = try PVESimFixture()
        let arm = try runProcess(
            "/usr/bin/curl",
            [
                "-sS", "-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
                #"{"kind":"http","method":"GET","path":"/cluster/resources","status":596,"count":1}"#,
                sim.endpoint.url + "_sim/faults",
            ])
        XCTAssertEqual(arm.status, 0, arm.stderr)
        XCTAssertTrue(arm.stdout.contains(#""status":596"#), arm.stdout)
        let failed = try sim.request("GET", "/cluster/resources")
        XCTAssertEqual(failed.status, 596)
        XCTAssertEqual(failed.reason, "Errors during TLS negotiation, request sending and header processing")
        let next = try sim.request("GET", "/cluster/resources")
        XCTAssertEqual(next.status, 200)
    }

    func testFaultInjectionThroughTheSwiftAPI() throws {
        let sim = try PVESimFixture()
        sim.sim.injectFault(
            PVEFault(
                kind: .http(
                    status: 595, message: "Errors during connection establishment, proxy handshake: No route to host",
                    delay: 0),
                method: "*", path: "/nodes/pve2/**", count: 2))
        XCTAssertEqual(try sim.request("GET", "/nodes/pve2/qemu").status, 595)
        XCTAssertEqual(
            try sim.request("GET", "/nodes/pve2/qemu").reason,
            "Errors during connection establishment, proxy handshake: No route to host")
        XCTAssertEqual(try sim.request("GET", "/nodes/pve1/qemu").status, 200)
        XCTAssertEqual(try sim.request("GET", "/nodes/pve2/qemu").status, 200)

        sim.sim.injectFault(PVEFault(kind: .http(status: 500, message: "simulated outage", delay: 0), path: "/nodes"))
        let five = try sim.request("GET", "/nodes")
        XCTAssertEqual(five.status, 500)
        XCTAssertEqual(five.message, "simulated outage\n")
        XCTAssertTrue(sim.sim.faults.isEmpty)
    }

    func testCloneLockTimeoutAndSlowTasks() throws {
        let sim = try PVESimFixture()
        sim.sim.injectFault(PVEFault(kind: .cloneLockTimeout, method: "POST", path: "/nodes/*/qemu/9000/clone"))
        let upid = try XCTUnwrap(
            try sim.request("POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("full", "1")]).data
                as? String)
        XCTAssertEqual(
            try sim.waitForTask(upid)["exitstatus"] as? String,
            "can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout")
        XCTAssertEqual(try sim.request("GET", "/nodes/pve1/qemu/101/config").status, 500, "no VM is left behind")

        sim.sim.injectFault(PVEFault(kind: .slowTasks(seconds: 1.5), method: "qmclone"))
        let slow = try XCTUnwrap(
            try sim.request("POST", "/nodes/pve1/qemu/9000/clone", form: [("newid", "101"), ("full", "1")]).data
                as? String)
        let started = Date()
        XCTAssertEqual(try sim.waitForTask(slow)["exitstatus"] as? String, "OK")
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 1.2)
    }

    func testTLSWithGeneratedCAFingerprintAndPin() throws {
        let sim = try PVESimFixture(tls: true)
        XCTAssertTrue(sim.endpoint.url.hasPrefix("https://127.0.0.1:"), sim.endpoint.url)
        let ca = try XCTUnwrap(sim.endpoint.caPath)
        let fingerprint = try XCTUnwrap(sim.endpoint.fingerprint)
        XCTAssertNotNil(
            fingerprint.range(of: #"^([0-9A-F]{2}:){31}[0-9A-F]{2}$"#, options: .regularExpression), fingerprint)
        let pin = try XCTUnwrap(sim.endpoint.publicKeyPin)
        XCTAssertTrue(pin.hasPrefix("sha256//"), pin)

        let reply = try sim.request("GET", "/nodes")
        XCTAssertEqual(reply.status, 200, reply.body)
        let nodes = try XCTUnwrap(reply.data as? [[String: Any]])
        XCTAssertEqual(nodes.map { $0["node"] as? String }, ["pve1", "pve2"])
        XCTAssertEqual(nodes.first?["ssl_fingerprint"] as? String, fingerprint)

        let openssl = try runProcess(
            "/bin/sh",
            ["-c", "openssl x509 -in '\(sim.lab.directory)/pve/nodes/pve1/pve-ssl.pem' -noout -fingerprint -sha256"])
        XCTAssertTrue(openssl.stdout.contains(fingerprint), openssl.stdout)
        let pinned = try runProcess(
            "/usr/bin/curl",
            [
                "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-k", "--pinnedpubkey", pin,
                sim.endpoint.url + "_sim/health",
            ])
        XCTAssertEqual(pinned.stdout, "200", pinned.stderr)
        let wrongPin = try runProcess(
            "/usr/bin/curl",
            [
                "-sS", "-o", "/dev/null", "-k", "--pinnedpubkey",
                "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", sim.endpoint.url,
            ])
        XCTAssertNotEqual(wrongPin.status, 0)
        let verified = try runProcess(
            "/usr/bin/curl",
            [
                "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca,
                "https://localhost:\(sim.endpoint.port)/_sim/health",
            ])
        XCTAssertEqual(verified.stdout, "200", verified.stderr)
    }

    func testWriteEnvironment() throws {
        let sim = try PVESimFixture(tls: true)
        let dir = sim.dir.path + "/serve"
        try sim.sim.writeEnvironment(to: dir)
        let env = try String(contentsOfFile: dir + "/env", encoding: .utf8)
        XCTAssertTrue(env.contains("export PROXMOX_VE_ENDPOINT='https://127.0.0.1:\(sim.endpoint.port)/'\n"), env)
        XCTAssertTrue(env.contains("export PROXMOX_VE_API_TOKEN='\(PVESimFixture.rootToken)'\n"), env)
        XCTAssertTrue(env.contains("export PROXMOX_VE_USERNAME='root@pam'\n"), env)
        XCTAssertTrue(env.contains("export PROXMOX_VE_INSECURE='false'\n"), env)
        XCTAssertTrue(env.contains("export HLSH_PVE_CA_FILE='\(dir)/pve-root-ca.pem'\n"), env)
        XCTAssertTrue(env.contains("export HLSH_PVE_FINGERPRINT='\(sim.endpoint.fingerprint!)'\n"), env)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/env")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let sourced = try runProcess(
            "/bin/sh",
            [
                "-c",
                ". '\(dir)/env' && curl -sS --cacert \"$HLSH_PVE_CA_FILE\" -H \"Authorization: PVEAPIToken=$PROXMOX_VE_API_TOKEN\" \"${PROXMOX_VE_ENDPOINT}api2/json/version\"",
            ])
        XCTAssertTrue(sourced.stdout.contains(#""version":"#), sourced.stdout + sourced.stderr)
    }

    func testStopReleasesThePort() throws {
        let sim = try PVESimFixture()
        let port = sim.endpoint.port
        XCTAssertTrue(waitForListener(port: UInt16(port), timeout: 5))
        sim.sim.stop()
        sim.sim.stop()
        let again = PVESimulator(config: .seedLab())
        let endpoint = try again.start(port: port, tls: .off)
        XCTAssertEqual(endpoint.port, port)
        again.stop()
    }
}

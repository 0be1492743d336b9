import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import HLSCommands

/// `lab doctor` on the simulated lab with faults injected where users meet them: each row names
/// the cause in words, with what to do, and never a secret.
final class LabDoctorTests: XCTestCase {
    func testEachFaultIsNamedWithItsCause() throws {
        let h = try LabHarness()
        XCTAssertEqual(h.run("vm apply --all").status, 0)
        let wait = h.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
        XCTAssertEqual(wait.status, 0, wait.err)
        let nodes = try XCTUnwrap(h.nodes)

        // k3s-cp-01 presents another key than known_hosts holds for it; k3s-wk-01 was never seen.
        let known = try String(contentsOfFile: nodes.knownHostsPath, encoding: .utf8)
        let cpName = "[127.0.0.1]:\(try XCTUnwrap(nodes.port(of: "k3s-cp-01")))"
        let wkName = "[127.0.0.1]:\(try XCTUnwrap(nodes.port(of: "k3s-wk-01")))"
        let impostor = h.home.file("impostor")
        XCTAssertEqual(
            try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", impostor]).status, 0)
        let impostorKey = try String(contentsOfFile: impostor + ".pub", encoding: .utf8).split(separator: " ")
            .prefix(2).joined(separator: " ")
        var lines = known.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(wkName + " ") }
        let cpLine = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(cpName + " ") }, known)
        lines[cpLine] = "\(cpName) \(impostorKey)"
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: nodes.knownHostsPath, atomically: true, encoding: .utf8)

        // A refused token, a git remote nobody answers at; no kubeconfig and no age key yet.
        h.environment["PROXMOX_VE_API_TOKEN"] = "root@pam!hlsh=00000000-0000-0000-0000-000000000000"
        try h.useInventory(
            LabHarness.shippedInventory.replacingOccurrences(
                of: "ssh://git@github.com/example/homelab", with: "ssh://git@127.0.0.1:1/example/homelab"))

        let rows = try Self.doctor(h)
        XCTAssertEqual(rows["dns"]?["state"], "ok", "\(rows)")
        XCTAssertEqual(rows["tls"]?["state"], "ok", "\(rows)")

        let auth = try XCTUnwrap(rows["auth"])
        XCTAssertEqual(auth["state"], "failed")
        XCTAssertTrue(
            auth["detail"]?.hasPrefix("the API token in PROXMOX_VE_API_TOKEN was refused: Proxmox said") ?? false,
            "\(auth)")
        XCTAssertTrue(auth["detail"]?.contains("HTTP 401") ?? false, "\(auth)")
        XCTAssertTrue(auth["hint"]?.contains("PROXMOX_VE_API_TOKEN") ?? false, "\(auth)")

        let changed = try XCTUnwrap(rows["ssh k3s-cp-01"])
        XCTAssertEqual(changed["state"], "failed")
        XCTAssertTrue(changed["detail"]?.contains("HOST KEY OF \(cpName) HAS CHANGED") ?? false, "\(changed)")
        XCTAssertTrue(changed["detail"]?.contains("\(nodes.knownHostsPath):\(cpLine + 1)") ?? false, "\(changed)")
        XCTAssertTrue(changed["hint"]?.contains("ssh-keygen -R") ?? false, "\(changed)")

        let first = try XCTUnwrap(rows["ssh k3s-wk-01"])
        XCTAssertEqual(first["state"], "failed")
        XCTAssertTrue(first["detail"]?.contains("host key of \(wkName) is not known") ?? false, "\(first)")
        XCTAssertTrue(first["hint"]?.contains("--accept-new") ?? false, "\(first)")

        let kube = try XCTUnwrap(rows["kube context"])
        XCTAssertEqual(kube["state"], "failed")
        XCTAssertTrue(
            kube["detail"]?.hasPrefix("no kubeconfig: \(h.lab.userKubeconfigPath) does not exist") ?? false, "\(kube)")
        XCTAssertTrue(kube["hint"]?.contains("node kubeconfig") ?? false, "\(kube)")

        let git = try XCTUnwrap(rows["git remote"])
        XCTAssertEqual(git["state"], "failed")
        XCTAssertTrue(
            git["detail"]?.contains("git ls-remote ssh://git@127.0.0.1:1/example/homelab failed") ?? false, "\(git)")
        XCTAssertTrue(git["detail"]?.contains("Connection refused") ?? false, "\(git)")

        let age = try XCTUnwrap(rows["age key"])
        XCTAssertEqual(age["state"], "failed")
        XCTAssertEqual(age["detail"], h.home.file(".config/sops/age/keys.txt") + " does not exist")
        XCTAssertTrue(age["hint"]?.contains("secret age-keygen") ?? false, "\(age)")
    }

    /// On a built cluster every check passes; a checkout whose `.sops.yaml` names another
    /// recipient fails the age key's, by public keys alone.
    func testABuiltLabPassesAndAnotherRecipientInSopsYamlIsNamed() throws {
        let h = try LabHarness()
        h.installCluster()
        XCTAssertEqual(h.run("secret age-keygen").status, 0)
        let rows = try Self.doctor(h)
        XCTAssertEqual(rows.values.filter { $0["state"] != "ok" }, [], "\(rows)")
        XCTAssertEqual(
            Set(rows.keys),
            ["dns", "tls", "auth", "ssh k3s-cp-01", "ssh k3s-wk-01", "kube context", "git remote", "age key"])
        XCTAssertTrue(rows["tls"]?["detail"]?.hasSuffix("pve-root-ca.pem") ?? false, "\(rows)")

        let keyFile = h.home.file(".config/sops/age/keys.txt")
        let other = h.run("secret age-keygen --file \(h.home.file("other.txt")) | get public_key")
        XCTAssertEqual(other.status, 0, other.err)
        let otherKey = other.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let checkout = h.home.file("checkout")
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try "creation_rules:\n  - path_regex: .*\\.yaml\n    age: \(otherKey)\n".write(
            toFile: checkout + "/.sops.yaml", atomically: true, encoding: .utf8)
        let result = h.run("lab doctor --checkout \(checkout) | where check == \"age key\" | to json --compact")
        XCTAssertEqual(result.status, 0, result.err)
        let row = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]])?.first)
        XCTAssertEqual(row["state"], "failed")
        XCTAssertTrue(row["detail"]?.hasSuffix("but \(checkout)/.sops.yaml names \(otherKey)") ?? false, "\(row)")
        let secret = try String(contentsOfFile: keyFile, encoding: .utf8).split(separator: "\n").last {
            $0.hasPrefix("AGE-SECRET-KEY-")
        }
        XCTAssertNotNil(secret)
        XCTAssertFalse(result.out.contains(String(secret ?? "")) || result.err.contains(String(secret ?? "")))
    }

    /// A CA file that did not sign the host's certificate: the tls row says so, naming the file.
    func testACertificateOfAnotherCAIsSaidAsSuch() throws {
        let h = try LabHarness()
        let other = h.home.file("other-ca.pem")
        let made = try runProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
                "/CN=another CA", "-days", "1", "-keyout", h.home.file("other-ca.key"), "-out", other,
            ])
        XCTAssertEqual(made.status, 0, made.stderr)
        h.environment["HLSH_PVE_CA_FILE"] = other
        let tls = try XCTUnwrap(try Self.doctor(h)["tls"])
        XCTAssertEqual(tls["state"], "failed")
        XCTAssertEqual(tls["detail"], "the certificate of 127.0.0.1 is signed by a CA not in \(other)")
        XCTAssertTrue(tls["hint"]?.contains("pve-root-ca.pem") ?? false, "\(tls)")
    }

    /// A kubeconfig whose current context is not defined, then one whose server does not answer.
    func testAContextThatIsGoneAndAServerThatDoesNotAnswer() throws {
        let h = try LabHarness()
        let kubeconfig = { (current: String) in
            """
            apiVersion: v1
            kind: Config
            current-context: \(current)
            clusters: [{name: lab, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: admin, user: {token: not-shown}}]
            contexts: [{name: homelab, context: {cluster: lab, user: admin}}]

            """
        }
        h.environment["KUBECONFIG"] = try h.home.write("kubeconfig", kubeconfig("gone"))
        let gone = try XCTUnwrap(try Self.doctor(h)["kube context"])
        XCTAssertEqual(gone["state"], "failed")
        XCTAssertTrue(
            gone["detail"]?.contains("context gone is not defined in \(h.home.file("kubeconfig"))") ?? false, "\(gone)")
        XCTAssertTrue(gone["hint"]?.contains("homelab") ?? false, "\(gone)")

        h.environment["KUBECONFIG"] = try h.home.write("kubeconfig", kubeconfig("homelab"))
        let silent = try XCTUnwrap(try Self.doctor(h)["kube context"])
        XCTAssertEqual(silent["state"], "failed")
        XCTAssertTrue(
            silent["detail"]?.hasPrefix("context homelab: https://127.0.0.1:1 does not answer: ") ?? false, "\(silent)")
        XCTAssertFalse((silent["detail"] ?? "").contains("not-shown"), "\(silent)")
    }

    /// curl's words for the other TLS failures (OpenSSL's, as libcurl passes them on), said as
    /// users name them.
    func testTLSFailuresAreSaidAsExpiredUnknownCAOrWrongName() {
        func said(_ cause: String) -> String {
            let error = HLSError(
                .failed, "certificate problem: cannot verify the TLS certificate of https://pve1.lan:8006",
                cause: cause)
            return LabDoctor.tlsWords(error, host: "pve1.lan", trust: "ca.pem").0
        }
        XCTAssertEqual(
            said("SSL certificate problem: certificate has expired"), "the certificate of pve1.lan has expired")
        XCTAssertEqual(
            said("SSL certificate problem: unable to get local issuer certificate"),
            "the certificate of pve1.lan is signed by a CA not in ca.pem")
        XCTAssertEqual(
            said("SSL certificate problem: self-signed certificate"),
            "the certificate of pve1.lan is signed by a CA not in ca.pem")
        XCTAssertEqual(
            said("SSL: no alternative certificate subject name matches target host name 'pve1.lan'"),
            "the certificate does not name pve1.lan")
    }

    /// `lab doctor`'s rows by check.
    static func doctor(_ h: LabHarness, file: StaticString = #filePath, line: UInt = #line) throws -> [String: [String:
        String]]
    {
        let result = h.run("lab doctor | to json --compact")
        XCTAssertEqual(result.status, 0, result.err, file: file, line: line)
        let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]] ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["check"] ?? "", $0) })
    }
}

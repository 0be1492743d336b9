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
        XCTAssertEqual(kube["state"], "pending")
        XCTAssertEqual(
            kube["detail"],
            "no kubeconfig yet: \(h.lab.userKubeconfigPath) does not exist; phase 2 (scripts/phases/2-k3s.hls) writes it"
        )
        XCTAssertTrue(kube["hint"]?.contains("hlsh node kubeconfig") ?? false, "\(kube)")

        let git = try XCTUnwrap(rows["git remote"])
        XCTAssertEqual(git["state"], "failed")
        XCTAssertTrue(
            git["detail"]?.contains("git ls-remote ssh://git@127.0.0.1:1/example/homelab failed") ?? false, "\(git)")
        XCTAssertTrue(git["detail"]?.contains("Connection refused") ?? false, "\(git)")

        let age = try XCTUnwrap(rows["age key"])
        XCTAssertEqual(age["state"], "pending")
        XCTAssertEqual(
            age["detail"],
            h.home.file(".config/sops/age/keys.txt")
                + " does not exist yet: phase 3 (scripts/phases/3-flux.hls) makes it")
        XCTAssertTrue(age["hint"]?.contains("hlsh secret age-keygen") ?? false, "\(age)")
        Self.assertHintsNameACommand(rows)
    }

    /// Without any Proxmox credential, what needs none is still checked (DNS of the endpoint and
    /// of the lab's names, the Proxmox certificate), and the login check says which credential
    /// is missing and where to set it, instead of every Proxmox row failing for the missing token.
    func testWithoutCredentialsDNSAndTLSAreStillCheckedAndAuthSaysWhatIsMissing() throws {
        let h = try LabHarness()
        for name in ["PROXMOX_VE_API_TOKEN", "PROXMOX_VE_USERNAME", "PROXMOX_VE_PASSWORD"] {
            h.environment.removeValue(forKey: name)
        }
        let rows = try Self.doctor(h)
        XCTAssertEqual(rows["dns"]?["state"], "ok", "\(rows)")
        XCTAssertEqual(rows["dns"]?["detail"], "127.0.0.1 resolves to 127.0.0.1", "\(rows)")
        XCTAssertEqual(rows["dns *.home.example.com"]?["state"], "ok", "\(rows)")
        XCTAssertTrue(
            rows["dns *.home.example.com"]?["detail"]?.hasPrefix("whoami.home.example.com ") ?? false, "\(rows)")
        XCTAssertEqual(rows["tls"]?["state"], "ok", "\(rows)")
        XCTAssertEqual(rows["auth"]?["state"], "skipped", "\(rows)")
        XCTAssertEqual(
            rows["auth"]?["detail"],
            "no Proxmox API token (set PROXMOX_VE_API_TOKEN=USER@REALM!TOKENID=SECRET / see "
                + "docs/runbook.md#a-proxmox-api-token-and-the-privileges-each-verb-needs)")
        Self.assertHintsNameACommand(rows)
    }

    /// A fresh lab, before phase 1: what is not built yet is pending with the phase that builds
    /// it and the command, not failed, and fails nothing (exit status 0); the git remote's
    /// words, with a `\r\n` from the remote, stay on the row's one line.
    func testWhatIsNotBuiltYetIsPendingWithThePhaseAndDoesNotFail() throws {
        let h = try LabHarness()
        let rows = try Self.doctor(h, status: 0)
        for vm in ["k3s-cp-01", "k3s-wk-01"] {
            let row = try XCTUnwrap(rows["ssh \(vm)"], "\(rows)")
            XCTAssertEqual(row["state"], "pending", "\(row)")
            XCTAssertEqual(row["detail"], "its VM does not exist yet: phase 1 (scripts/phases/1-vms.hls) builds it")
            XCTAssertEqual(row["hint"], "hlsh vm apply --all")
        }
        for name in ["kube context", "age key", "tls ingress"] {
            XCTAssertEqual(rows[name]?["state"], "pending", "\(rows)")
        }
        XCTAssertEqual(rows.values.filter { !["ok", "pending"].contains($0["state"]) }, [], "\(rows)")
        Self.assertHintsNameACommand(rows)

        // A remote whose words end in \r\n (ssh relays them as the proxy wrote them).
        let config = try h.home.write(
            "ssh_config",
            """
            Include \(h.environment["HLSH_SSH_CONFIG"] ?? "/dev/null")
            Host bad-git.example
              ProxyCommand sh -c "printf 'remote says no\\r\\nsecond line\\r\\n' >&2; sleep 0.3"

            """)
        h.environment["HLSH_SSH_CONFIG"] = config
        try h.useInventory(
            LabHarness.shippedInventory.replacingOccurrences(
                of: "ssh://git@github.com/example/homelab", with: "ssh://git@bad-git.example/example/homelab"))
        let git = try XCTUnwrap(try Self.doctor(h)["git remote"])
        XCTAssertEqual(git["state"], "failed")
        XCTAssertTrue(git["detail"]?.contains("remote says no second line") ?? false, "\(git)")
        XCTAssertFalse(git["detail"]?.unicodeScalars.contains { $0.value < 0x20 } ?? true, "\(git)")
        let table = h.run("lab doctor | where check == \"git remote\"")
        XCTAssertEqual(table.out.split(separator: "\n").count, 2, table.out)
    }

    /// Every row that failed or waits for a phase says what to run: an hlsh command or a phase script.
    static func assertHintsNameACommand(
        _ rows: [String: [String: String]], file: StaticString = #filePath, line: UInt = #line
    ) {
        for (check, row) in rows where ["failed", "pending"].contains(row["state"]) {
            let hint = row["hint"] ?? ""
            XCTAssertTrue(
                hint.contains("hlsh ") || hint.contains("scripts/phases/") || hint.contains("ssh-keygen")
                    || hint.contains("docs/runbook.md#"),
                "\(check): \(row)", file: file, line: line)
        }
    }

    /// On a built cluster every check passes; a checkout whose `.sops.yaml` names another
    /// recipient fails the age key's, by public keys alone.
    func testABuiltLabPassesAndAnotherRecipientInSopsYamlIsNamed() throws {
        let h = try LabHarness()
        h.installCluster()
        XCTAssertEqual(h.run("secret age-keygen").status, 0)
        let rows = try Self.doctor(h, status: 0)
        XCTAssertEqual(rows.values.filter { !["ok", "pending"].contains($0["state"]) }, [], "\(rows)")
        XCTAssertEqual(
            Set(rows.keys),
            [
                "dns", "dns *.home.example.com", "tls", "tls ingress", "auth", "ssh k3s-cp-01", "ssh k3s-wk-01",
                "kube context", "git remote", "age key",
            ])
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
        XCTAssertEqual(result.status, 1, result.err)
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

    /// A Proxmox endpoint where nothing answers: the tls row fails with what to check and the
    /// command to run again (it had no hint), as every failed row has one.
    func testAnEndpointWhereNothingAnswersStillHasAHintOnEveryFailedRow() throws {
        let h = try LabHarness()
        h.environment["PROXMOX_VE_ENDPOINT"] = "https://127.0.0.1:1/"
        let rows = try Self.doctor(h)
        let tls = try XCTUnwrap(rows["tls"])
        XCTAssertEqual(tls["state"], "failed", "\(rows)")
        XCTAssertTrue(tls["hint"]?.contains("https://127.0.0.1:1") ?? false, "\(tls)")
        XCTAssertTrue(tls["hint"]?.contains("hlsh lab doctor") ?? false, "\(tls)")
        Self.assertHintsNameACommand(rows)
    }

    /// A failed row no check gave a hint (an error it did not foresee, a check out of time) gets
    /// the runbook's section on what the check needs, and that section exists.
    func testAFailedRowWithoutAHintGetsTheRunbooksSectionOnIt() throws {
        let runbook = try String(
            contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../docs/runbook.md").path, encoding: .utf8)
        let anchors = Set(
            runbook.split(separator: "\n").filter { $0.hasPrefix("#") }.map { heading in
                String(
                    heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
                        .filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" }
                        .map { $0 == " " ? "-" : $0 })
            })
        let checks = [
            "dns", "dns *.home.example.com", "tls", "tls ingress", "auth", "ssh k3s-cp-01", "kube context",
            "git remote", "age key",
        ]
        for check in checks {
            let row = LabDoctor.hinted(LabCheck(check, .failed, "no answer within 10s"))
            let hint = try XCTUnwrap(row.hint)
            XCTAssertTrue(hint.hasPrefix("see docs/runbook.md#"), hint)
            XCTAssertTrue(anchors.contains(String(hint.dropFirst("see docs/runbook.md#".count))), "\(check): \(hint)")
        }
        XCTAssertEqual(LabDoctor.hinted(LabCheck("tls", .failed, "x", hint: "do this")).hint, "do this")
        XCTAssertNil(LabDoctor.hinted(LabCheck("tls", .ok, "fine")).hint)
        XCTAssertNil(LabDoctor.hinted(LabCheck("auth", .skipped, "no token")).hint)
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
    /// `status`: the run's exit status, 1 when a check failed.
    static func doctor(_ h: LabHarness, status: Int32 = 1, file: StaticString = #filePath, line: UInt = #line) throws
        -> [String: [String: String]]
    {
        let result = h.run("lab doctor | to json --compact")
        XCTAssertEqual(result.status, status, result.err, file: file, line: line)
        let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: String]] ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["check"] ?? "", $0) })
    }
}

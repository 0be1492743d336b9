import Foundation
import TestSupport
import XCTest

/// Issue 17's secrets after a full bootstrap on the served lab: the PVE API token and password,
/// the k3s token, the age key, the deploy key, the kubeconfig's client key, and the GitHub and
/// Cloudflare tokens never show — as they are or in base64 — in what hlsh printed, in its `--log`,
/// in any file under the user's HOME, state and TMPDIR but the one that holds it (mode 0600), in
/// the GitOps remote's history, or in the argv and environment of what ran on the nodes.
extension BootstrapRunbookTests {
    /// A secret's name and the texts whose presence would give it away.
    struct LabSecret {
        var name: String
        var needles: [String]
        /// The one file allowed to hold it, if any.
        var holder: String?

        init(_ name: String, value: String, holder: String? = nil) {
            self.name = name
            needles = [value, Data(value.utf8).base64EncodedString()]
            self.holder = holder
        }

        /// A PEM private key: a line of its key material, and the whole as base64 (a Secret's data).
        init(_ name: String, pem: String, holder: String? = nil) {
            self.name = name
            let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
            needles = [body[body.count / 2], Data(pem.utf8).base64EncodedString()]
            self.holder = holder
        }

        func found(in text: String) -> Bool { needles.contains { text.contains($0) } }
    }

    /// The lab's secrets as the bootstrap left them: read from the environment, the first
    /// server's disk, the user's files and the cluster.
    func labSecrets(_ served: Served) throws -> [LabSecret] {
        var secrets: [LabSecret] = []
        let token = try XCTUnwrap(served.env["PROXMOX_VE_API_TOKEN"])
        secrets.append(LabSecret("PVE API token", value: String(try XCTUnwrap(token.split(separator: "=").last))))
        secrets.append(LabSecret("PVE password", value: try XCTUnwrap(served.env["PROXMOX_VE_PASSWORD"])))
        for name in ["GITHUB_TOKEN", "CLOUDFLARE_API_TOKEN"] {
            secrets.append(LabSecret(name, value: try XCTUnwrap(served.env[name])))
        }

        let tokenFile = try XCTUnwrap(
            nodeRoots(served).map { $0 + "/var/lib/rancher/k3s/server/token" }.first {
                FileManager.default.fileExists(atPath: $0)
            }, "a server's token file")
        let k3s = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let password = try XCTUnwrap(k3s.components(separatedBy: "::server:").last)
        secrets.append(LabSecret("k3s token", value: k3s))
        secrets.append(LabSecret("k3s token's password", value: password))

        let keys = served.home + "/.config/sops/age/keys.txt"
        let age = try XCTUnwrap(
            try String(contentsOfFile: keys, encoding: .utf8).split(separator: "\n").first {
                $0.hasPrefix("AGE-SECRET-KEY-")
            })
        secrets.append(LabSecret("age key", value: String(age), holder: keys))

        let identity = try served.kubectl([
            "get", "secret", "-n", "flux-system", "flux-system", "-o", "jsonpath={.data.identity}",
        ])
        XCTAssertEqual(identity.status, 0, identity.stderr)
        let deploy = try XCTUnwrap(Data(base64Encoded: identity.stdout).map { String(decoding: $0, as: UTF8.self) })
        secrets.append(LabSecret("deploy key", pem: deploy))

        let kubeconfig = try XCTUnwrap(served.env["KUBECONFIG"])
        let field = "client-key-data: "
        let line = try XCTUnwrap(
            try String(contentsOfFile: kubeconfig, encoding: .utf8).split(separator: "\n").first { $0.contains(field) },
            "the kubeconfig holds a client key")
        let data = String(line[try XCTUnwrap(line.range(of: field)).upperBound...])
        let clientKey = try XCTUnwrap(Data(base64Encoded: data).map { String(decoding: $0, as: UTF8.self) })
        var client = LabSecret("kubeconfig client key", pem: clientKey, holder: kubeconfig)
        client.needles.append(data)
        secrets.append(client)
        return secrets
    }

    /// The simulated nodes' roots (`/` of each VM) under the lab's directory.
    func nodeRoots(_ served: Served) throws -> [String] {
        let logs = try runProcess(
            "/usr/bin/find", [served.lab.directory, "-path", "*/var/log/hlsh-sim.log"])
        return logs.stdout.split(separator: "\n").map { String($0.dropLast("/var/log/hlsh-sim.log".count)) }
    }

    /// Fails for every place a secret shows where it must not: `outputs` (what each run printed),
    /// the run log at `log`, the files under the test's directory (HOME, state, TMPDIR, the clone
    /// of the GitOps remote) and the user's kubeconfig, the remote's whole history, and the nodes'
    /// records of each process's argv and environment; and for every file that holds one, a
    /// mode wider than 0600.
    func assertNoSecretLeaks(_ served: Served, outputs: [ProcessResult], log: String) throws {
        let secrets = try labSecrets(served)
        XCTAssertGreaterThanOrEqual(secrets.count, 9)
        var places: [(String, String)] = outputs.enumerated().flatMap { index, run in
            [("stdout of run \(index + 1)", run.stdout), ("stderr of run \(index + 1)", run.stderr)]
        }
        let logText = try String(contentsOfFile: log, encoding: .utf8)
        XCTAssertTrue(logText.contains("phase_start") && logText.contains("changed"), "the log recorded the run")
        places.append(("the --log file", logText))
        let history = try served.git(["-C", served.dir.file("clone"), "log", "-p", "--all"])
        XCTAssertEqual(history.status, 0, history.stderr)
        XCTAssertTrue(history.stdout.contains("gotk-sync.yaml"), "the remote's history was read")
        places.append(("the GitOps remote's history", history.stdout))
        for root in try nodeRoots(served) {
            for record in ["/var/log/hlsh-sim.log", "/var/log/hlsh-sim.env"] {
                places.append(("\(root)\(record)", (try? String(contentsOfFile: root + record, encoding: .utf8)) ?? ""))
            }
        }
        // A refused login: the error and the log name the token's id, never its secret.
        let token = try XCTUnwrap(served.env["PROXMOX_VE_API_TOKEN"])
        let wrong = "0badc0de-\(UInt32.random(in: 1_000_000...9_999_999))"
        let refusedLog = served.dir.file("refused.jsonl")
        var env = served.env
        env["PROXMOX_VE_API_TOKEN"] = String(token.prefix { $0 != "=" }) + "=" + wrong
        let refused = try runProcess(BuiltBinary.hlsh, ["--log", refusedLog, "-c", "vm list"], environment: env)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        let refusedText = try String(contentsOfFile: refusedLog, encoding: .utf8)
        XCTAssertTrue(refusedText.contains("\"error\""), refusedText)
        for text in [refused.stdout, refused.stderr, refusedText] {
            XCTAssertFalse(text.contains(wrong), "a refused token's secret is shown: \(text)")
        }

        for (place, text) in places {
            for secret in secrets where secret.found(in: text) {
                XCTFail("the \(secret.name) is in \(place)")
            }
        }

        // Files: hlsh's (under the test's directory, and the kubeconfig), and on the nodes the
        // ones under /etc (config.yaml, unit environments), where only a 0600 file may hold the k3s token.
        var files = try regularFiles(under: served.dir.path).filter { !$0.hasPrefix(served.lab.directory + "/") }
        files.append(try XCTUnwrap(served.env["KUBECONFIG"]))
        XCTAssertTrue(files.contains { $0.hasPrefix(served.home + "/") }, "HOME was walked")
        for file in files {
            guard let text = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) })
            else { continue }
            for secret in secrets where secret.found(in: text) {
                if secret.holder != file { XCTFail("the \(secret.name) is in \(file)") }
                let bits = try mode(file)
                XCTAssertEqual(bits & 0o077, 0, "\(file) holds the \(secret.name) with mode \(String(bits, radix: 8))")
            }
        }
        let k3s = secrets.filter { $0.name.hasPrefix("k3s token") }
        var checked = 0
        for root in try nodeRoots(served) {
            for file in try regularFiles(under: root + "/etc") {
                guard
                    let text = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) }),
                    k3s.contains(where: { $0.found(in: text) })
                else { continue }
                checked += 1
                let bits = try mode(file)
                XCTAssertEqual(bits & 0o077, 0, "\(file) holds the k3s token with mode \(String(bits, radix: 8))")
            }
        }
        XCTAssertGreaterThan(checked, 0, "the agent's config.yaml holds the token")
    }

    private func regularFiles(under directory: String) throws -> [String] {
        try runProcess("/usr/bin/find", [directory, "-type", "f"]).stdout.split(separator: "\n").map(String.init)
    }

    private func mode(_ file: String) throws -> Int {
        try XCTUnwrap(
            (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue)
    }
}

import Foundation
import HLSCore
import Kube
import TestSupport
import XCTest

@testable import LabSim

/// `flux bootstrap` against the lab's GitHub (git over SSH, the deploy-key API, the release
/// download) and a simulated API whose controllers the test plays.
final class FluxBootstrapTests: XCTestCase {
    /// The lab's GitHub with the repository and the simulated release's install.yaml.
    /// `accountKeys`: the user's keys GitHub knows (they push).
    static func github(_ dir: TemporaryDirectory, accountKeys: [String] = []) throws -> SimulatedLab {
        let install = Array(FluxRelease.installYAML.utf8)
        return try SimulatedLab.temporary(
            SimulatedLab.Options(
                pve: .seedLabWithFreshSecrets(timings: .demo), nodeImage: nil, kube: nil,
                git: SimulatedLab.GitOptions(
                    repositories: ["example/homelab"], accountKeys: accountKeys,
                    assets: { ["fluxcd/flux2/v2.9.4/install.yaml": install] })),
            under: dir.path)
    }

    /// The seed inventory with the gitops: section given.
    static func inventory(_ dir: TemporaryDirectory, gitops: String) throws -> String {
        let seed = try String(contentsOfFile: "scripts/homelab.yaml", encoding: .utf8)
        let head = seed.components(separatedBy: "\ngitops:")[0]
        return try dir.write("homelab.yaml", head + "\ngitops:\n" + gitops + "\n")
    }

    func testBootstrapInstallsCommitsRegistersAndSyncsThenChangesNothing() throws {
        let dir = try TemporaryDirectory("flux-bootstrap")
        let flux = try FluxHarness(crds: false)
        // The user's own key (in the run's HOME) is the one GitHub lets push.
        try FileManager.default.createDirectory(
            atPath: flux.kube.dir.file(".ssh"), withIntermediateDirectories: true)
        let made = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", flux.kube.dir.file(".ssh/id_ed25519")])
        XCTAssertEqual(made.status, 0, made.stderr)
        let userKey = try String(contentsOfFile: flux.kube.dir.file(".ssh/id_ed25519.pub"), encoding: .utf8)
        let lab = try Self.github(dir, accountKeys: [userKey])
        defer { lab.stop() }
        flux.verdicts.withLock { $0["flux-system"] = (true, "Applied revision") }
        flux.startController()
        defer { flux.stop() }
        try dir.write(
            "age.agekey", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n", mode: 0o600)
        let file = try Self.inventory(
            dir,
            gitops: """
                  url: ssh://git@github.com/example/homelab
                  branch: main
                  path: clusters/lab
                  flux_version: v2.9.4
                  install_sha256: \(FluxRelease.sha256)
                  age_key_file: \(dir.file("age.agekey"))
                """)
        let environment = lab.environment.merging(flux.kube.environment) { _, harness in harness }.merging([
            "HLSH_LAB": file, "PATH": "/usr/bin:/bin",
        ]) { _, new in new }

        let first = runInProcess(
            "flux bootstrap --timeout 30s | select target action status | to json --compact", environment: environment)
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(
            first.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"target":"deploy key of example/homelab","action":"register","status":"applied"},"#
                + #"{"target":"example/homelab@main","action":"push","status":"applied"},"#
                + #"{"target":"Flux v2.9.4","action":"install","status":"applied"},"#
                + #"{"target":"flux-system/flux-system","action":"sync","status":"applied"}]"#)

        // The key: registered once, read-only (the user pushed); in the Secret with the scanned host key.
        let keys = try XCTUnwrap(lab.git).deployKeys(of: "example/homelab")
        XCTAssertEqual(keys.map(\.readOnly), [true])
        let secret = try flux.kube.client.get(.secrets, "flux-system", namespace: "flux-system")
        func entry(_ object: Document, _ key: String) -> String {
            String(decoding: Data(base64Encoded: object.text("data", key) ?? "") ?? Data(), as: UTF8.self)
        }
        XCTAssertTrue(entry(secret, "identity").hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        XCTAssertTrue(entry(secret, "identity.pub").hasPrefix("ecdsa-sha2-nistp384 AAAA"))
        XCTAssertTrue(keys[0].key.hasPrefix(entry(secret, "identity.pub")), "\(keys[0].key)")
        let hostKey = try XCTUnwrap(lab.git?.hostPublicKey).split(separator: " ").prefix(2).joined(separator: " ")
        XCTAssertEqual(entry(secret, "known_hosts"), "github.com \(hostKey)")
        let age = try flux.kube.client.get(.secrets, "sops-age", namespace: "flux-system")
        XCTAssertTrue(entry(age, "age.agekey").hasPrefix("AGE-SECRET-KEY-1"))
        let sync = try flux.kube.client.get(FluxHarness.kustomizations, "flux-system", namespace: "flux-system")
        XCTAssertEqual(sync["spec"]?["decryption"]?["provider"], .string("sops"))
        XCTAssertEqual(sync["spec"]?["path"], .string("./clusters/lab"))

        // git holds the three files, committed on main.
        let bare = lab.directory + "/git/root/srv/git/example/homelab.git"
        let shown = try runProcess(
            "/usr/bin/git", ["--git-dir", bare, "show", "main:clusters/lab/flux-system/kustomization.yaml"])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("- gotk-sync.yaml"), shown.stdout)
        let components = try runProcess(
            "/usr/bin/git", ["--git-dir", bare, "show", "main:clusters/lab/flux-system/gotk-components.yaml"])
        XCTAssertEqual(components.stdout, FluxRelease.installYAML)
        let head = lab.git?.head(of: "example/homelab")

        // A second run changes nothing, in git or on the cluster.
        let second = runInProcess("flux bootstrap --timeout 30s | count", environment: environment)
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertEqual(second.out.trimmingCharacters(in: .whitespacesAndNewlines), "0", second.err)
        XCTAssertEqual(lab.git?.head(of: "example/homelab"), head)
        XCTAssertEqual(lab.git?.deployKeys(of: "example/homelab").count, 1)
    }

    /// The seed inventory pins the release the lab serves, by its checksum.
    func testTheSeedInventoryPinsTheSimulatedReleasesChecksum() throws {
        let seed = try String(contentsOfFile: "scripts/homelab.yaml", encoding: .utf8)
        let pinned = seed.split(separator: "\n").first { $0.contains("install_sha256:") }?
            .split(separator: ":").last?.split(separator: "#").first?.trimmingCharacters(in: .whitespaces)
        XCTAssertEqual(pinned, FluxRelease.sha256)
        XCTAssertTrue(seed.contains("flux_version: \(FluxRelease.version)"))
    }

    func testAnUnreachableHostARefusedKeyOrAnAlteredDownloadStopsBeforeTheClusterIsTouched() throws {
        let dir = try TemporaryDirectory("flux-bootstrap")
        let lab = try Self.github(dir)
        defer { lab.stop() }
        let flux = try FluxHarness(crds: false)
        let gitops = "  url: ssh://git@github.com/example/homelab\n  path: clusters/lab\n"
        var environment = lab.environment.merging(flux.kube.environment) { _, harness in harness }
        environment["HLSH_LAB"] = try Self.inventory(dir, gitops: gitops)
        environment["PATH"] = "/usr/bin:/bin"

        // No token: the key is printed, and the host never accepts it.
        environment["GITHUB_TOKEN"] = nil
        let refused = runInProcess("flux bootstrap --timeout 2s", environment: environment)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("ecdsa-sha2-nistp384 AAAA"), refused.err)
        XCTAssertTrue(refused.err.contains("the git host refuses the deploy key of example/homelab"), refused.err)

        // A host that does not answer.
        environment["HLSH_LAB"] = try Self.inventory(dir, gitops: "  url: ssh://git@127.0.0.1:1/example/homelab\n")
        let unreachable = runInProcess("flux bootstrap --timeout 2s", environment: environment)
        XCTAssertNotEqual(unreachable.status, 0)
        XCTAssertTrue(unreachable.err.contains("the git host 127.0.0.1 cannot be reached"), unreachable.err)

        // A download whose SHA-256 is not the pinned one (with the token: nothing else stops it).
        let zeros = String(repeating: "0", count: 64)
        environment["GITHUB_TOKEN"] = lab.environment["GITHUB_TOKEN"]
        environment["HLSH_LAB"] = try Self.inventory(dir, gitops: gitops + "  install_sha256: \(zeros)\n")
        let altered = runInProcess("flux bootstrap --timeout 2s", environment: environment)
        XCTAssertNotEqual(altered.status, 0)
        XCTAssertTrue(
            altered.err.contains("has SHA-256 \(FluxRelease.sha256), not the pinned \(zeros)"), altered.err)

        XCTAssertNil(try flux.kube.client.getIfPresent(.namespaces, "flux-system"), "the cluster is untouched")
        XCTAssertEqual(lab.git?.head(of: "example/homelab"), nil)
        XCTAssertEqual(lab.git?.deployKeys(of: "example/homelab").count, 0, "no deploy key registered")
    }
}

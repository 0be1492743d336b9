import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

@testable import LabSim

/// `flux scaffold --push`: the GitOps tree into the inventory's remote, unattended. A dry run
/// pushes nothing and lists what would be added; the first run commits the tree once; a second
/// run changes nothing; a file the user changed in the repository is kept, and nothing is
/// committed for it.
final class GitOpsScaffoldPushTests: XCTestCase {
    func testPushCommitsTheTreeOnceKeepsYourChangesAndADryRunPushesNothing() throws {
        let dir = try TemporaryDirectory("scaffold-push")
        let home = try dir.userHome()
        let userKey = try String(contentsOfFile: home + "/.ssh/id_ed25519.pub", encoding: .utf8)
        let lab = try FluxBootstrapTests.github(dir, accountKeys: [userKey])
        defer { lab.stop() }
        let git = try XCTUnwrap(lab.git)
        let inventory = try FluxBootstrapTests.inventory(
            dir,
            gitops: """
                  url: ssh://git@github.com/example/homelab
                  branch: main
                  path: kubernetes/clusters/homelab
                  flux_version: v2.9.4
                domain: home.example.com
                """)
        let environment = lab.environment.merging([
            "HLSH_LAB": inventory, "HOME": home, "PATH": "/usr/bin:/bin", "CLOUDFLARE_API_TOKEN": "cf-t0ken-123",
        ]) { _, new in new }
        XCTAssertEqual(runInProcess("secret age-keygen", environment: environment).status, 0)
        let rows = "flux scaffold --push | select target action status | to json --compact"

        var dryRun = RunOptions()
        dryRun.dryRun = true
        let planned = runInProcess(rows, environment: environment, options: dryRun)
        XCTAssertEqual(planned.status, 0, planned.err)
        XCTAssertTrue(
            planned.out.contains(#"{"target":".sops.yaml","action":"create","status":"planned"}"#), planned.out)
        XCTAssertTrue(
            planned.out.contains(#"{"target":"example/homelab@main","action":"push","status":"planned"}"#), planned.out)
        XCTAssertNil(git.head(of: "example/homelab"), "a dry run pushes nothing")

        let first = runInProcess(rows, environment: environment)
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertTrue(
            first.out.contains(#"{"target":"example/homelab@main","action":"push","status":"applied"}"#), first.out)
        XCTAssertFalse(first.out.contains("cf-t0ken") || first.err.contains("cf-t0ken"), "the token never shows")
        let head = try XCTUnwrap(git.head(of: "example/homelab"))
        XCTAssertFalse(head.isEmpty, "the tree was pushed")
        let bare = lab.directory + "/git/root/srv/git/example/homelab.git"
        func show(_ path: String) throws -> String {
            let shown = try runProcess("/usr/bin/git", ["--git-dir", bare, "show", "main:" + path])
            XCTAssertEqual(shown.status, 0, "\(path): \(shown.stderr)")
            return shown.stdout
        }
        XCTAssertTrue(try show("kubernetes/clusters/homelab/apps.yaml").contains("name: infrastructure-configs"))
        let secret = try show("kubernetes/infrastructure/configs/cert-manager/cloudflare-api-token.sops.yaml")
        XCTAssertTrue(secret.contains("ENC[AES256_GCM,"), secret)
        XCTAssertFalse(secret.contains("cf-t0ken"), secret)
        let log = try runProcess("/usr/bin/git", ["--git-dir", bare, "log", "--format=%s", "main"])
        XCTAssertEqual(log.stdout.split(separator: "\n").count, 1, "one commit: \(log.stdout)")

        let second = runInProcess("flux scaffold --push | count", environment: environment)
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertEqual(second.out.trimmingCharacters(in: .whitespacesAndNewlines), "0", second.out)
        XCTAssertTrue(second.err.contains("flux scaffold: no change"), second.err)
        XCTAssertEqual(git.head(of: "example/homelab"), head, "nothing committed the second time")

        // The user edits a scaffolded file and pushes it: a later scaffold keeps it, commits nothing.
        let work = try GitWorkTree(
            home: home, sshConfig: try XCTUnwrap(environment["HLSH_SSH_CONFIG"]), into: dir.file("clone"))
        let edited = work.path + "/kubernetes/clusters/homelab/apps.yaml"
        let text = try String(contentsOfFile: edited, encoding: .utf8)
        try text.replacingOccurrences(of: "interval: 1h", with: "interval: 10m").write(
            toFile: edited, atomically: true, encoding: .utf8)
        let userHead = try work.commitAndPush("apps every 10 minutes")
        let kept = runInProcess(rows, environment: environment)
        XCTAssertEqual(kept.status, 0, kept.err)
        XCTAssertEqual(
            kept.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"target":"kubernetes/clusters/homelab/apps.yaml","action":"keep","status":"unchanged"}]"#)
        XCTAssertEqual(git.head(of: "example/homelab"), userHead, "your change stays as you pushed it")
    }
}

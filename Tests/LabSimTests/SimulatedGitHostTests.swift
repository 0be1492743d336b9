import Foundation
import HLSCore
import LabSim
import TestSupport
import XCTest

/// The simulated git host as the real `git` and `ssh` see it: deploy keys that may fetch or also
/// push one repository, GitHub's refusals for the rest, and the pushed commit on the host.
final class SimulatedGitHostTests: XCTestCase {
    var dir: TemporaryDirectory!
    var host: SimulatedGitHost!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory("labsim-git")
        host = SimulatedGitHost(directory: dir.file("host"))
        try host.start()
        addTeardownBlock { [self] in
            host.stop()
            host = nil
            dir = nil
        }
        let port = try XCTUnwrap(host.port)
        try dir.write("known_hosts", "[127.0.0.1]:\(port) \(try XCTUnwrap(host.hostPublicKey))\n")
    }

    /// A new key pair (`NAME`, `NAME.pub`); returns the public key line.
    func keyPair(_ name: String, type: [String] = ["-t", "ecdsa", "-b", "384"]) throws -> String {
        let made = try runProcess("/usr/bin/ssh-keygen", ["-q"] + type + ["-N", "", "-C", name, "-f", dir.file(name)])
        XCTAssertEqual(made.status, 0, made.stderr)
        return try String(contentsOfFile: dir.file(name + ".pub"), encoding: .utf8)
    }

    /// Runs git with `key` as its SSH identity, trusting only the host's recorded key.
    @discardableResult
    func git(_ arguments: [String], key: String, in directory: String? = nil) throws -> ProcessResult {
        let ssh = [
            "ssh", "-F", "/dev/null", "-i", dir.file(key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "UserKnownHostsFile=\(dir.file("known_hosts"))", "-o", "StrictHostKeyChecking=yes",
        ].joined(separator: " ")
        // From the test's own directory: git must not find the checkout the tests run in.
        return try runProcess(
            "/usr/bin/git", (directory.map { ["-C", $0] } ?? []) + arguments,
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": dir.path, "GIT_SSH_COMMAND": ssh, "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
            ], currentDirectory: dir.path)
    }

    var url: String { "ssh://git@127.0.0.1:\(host.port!)/homelab/gitops.git" }

    func testAReadWriteDeployKeyPushesAndAReadOnlyOneOnlyFetches() throws {
        try host.createRepository("homelab/gitops")
        try host.addDeployKey(
            .init(repository: "homelab/gitops", title: "flux-system-main", key: try keyPair("rw"), readOnly: false))
        try host.addDeployKey(
            .init(repository: "homelab/gitops", title: "read-only", key: try keyPair("ro"), readOnly: true))

        let cloned = try git(["clone", "--quiet", url, dir.file("work")], key: "rw")
        XCTAssertEqual(cloned.status, 0, cloned.stderr)
        try dir.write("work/kustomization.yaml", "resources: []\n")
        XCTAssertEqual(try git(["add", "."], key: "rw", in: dir.file("work")).status, 0)
        XCTAssertEqual(try git(["commit", "--quiet", "-m", "first"], key: "rw", in: dir.file("work")).status, 0)
        let pushed = try git(["push", "--quiet", "origin", "HEAD:main"], key: "rw", in: dir.file("work"))
        XCTAssertEqual(pushed.status, 0, pushed.stderr)
        let local = try git(["rev-parse", "HEAD"], key: "rw", in: dir.file("work")).stdout
        XCTAssertEqual(host.head(of: "homelab/gitops"), local.trimmingCharacters(in: .whitespacesAndNewlines))

        let fetched = try git(["clone", "--quiet", url, dir.file("ro-work")], key: "ro")
        XCTAssertEqual(fetched.status, 0, fetched.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("ro-work/kustomization.yaml")))
        try dir.write("ro-work/extra.yaml", "{}\n")
        try git(["add", "."], key: "ro", in: dir.file("ro-work"))
        try git(["commit", "--quiet", "-m", "second"], key: "ro", in: dir.file("ro-work"))
        let refused = try git(["push", "--quiet", "origin", "HEAD:main"], key: "ro", in: dir.file("ro-work"))
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(
            refused.stderr.contains("ERROR: The key you are authenticating with has been marked as read only."),
            refused.stderr)
        XCTAssertEqual(host.head(of: "homelab/gitops"), local.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testAKeyReachesOnlyItsRepositoryAndAnUnknownKeyNothing() throws {
        try host.createRepository("homelab/gitops")
        try host.createRepository("homelab/other")
        try host.addDeployKey(
            .init(repository: "homelab/other", title: "other", key: try keyPair("other"), readOnly: false))
        let elsewhere = try git(["ls-remote", url], key: "other")
        XCTAssertNotEqual(elsewhere.status, 0)
        XCTAssertTrue(elsewhere.stderr.contains("ERROR: Repository not found."), elsewhere.stderr)

        _ = try keyPair("stranger")
        let stranger = try git(["ls-remote", url], key: "stranger")
        XCTAssertNotEqual(stranger.status, 0)
        XCTAssertTrue(stranger.stderr.contains("Permission denied (publickey)"), stranger.stderr)

        // No shell for anyone, as on GitHub.
        let shell = try runProcess(
            "/usr/bin/ssh",
            [
                "-F", "/dev/null", "-i", dir.file("other"), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "UserKnownHostsFile=\(dir.file("known_hosts"))", "-p", String(host.port!), "git@127.0.0.1",
            ], environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path])
        XCTAssertEqual(shell.status, 1)
        XCTAssertTrue(shell.stderr.contains("Hi homelab/other! You've successfully authenticated"), shell.stderr)
    }

    /// GitHub keeps a repository's deploy keys; so does the simulated host across a restart in
    /// the same directory (`sim serve --dir DIR` stopped and started again), with their numbers,
    /// and a removed key stays removed.
    func testDeployKeysOutliveARestartInTheSameDirectory() throws {
        try host.createRepository("homelab/gitops")
        let added = try host.addDeployKey(
            .init(repository: "homelab/gitops", title: "flux-system-main", key: try keyPair("ro"), readOnly: true))
        let removed = try host.addDeployKey(
            .init(repository: "homelab/gitops", title: "gone", key: try keyPair("gone"), readOnly: true))
        try host.removeDeployKey(removed.key, from: "homelab/gitops")
        host.stop()

        host = SimulatedGitHost(directory: dir.file("host"))
        try host.start()
        XCTAssertEqual(host.deployKeys(of: "homelab/gitops"), [added])
        let port = try XCTUnwrap(host.port)
        try dir.write("known_hosts", "[127.0.0.1]:\(port) \(try XCTUnwrap(host.hostPublicKey))\n")
        let listed = try git(["ls-remote", url], key: "ro")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertNotEqual(try git(["ls-remote", url], key: "gone").status, 0)
    }

    func testAKeyInUseOrMalformedIsRefusedAsGitHubDoes() throws {
        try host.createRepository("homelab/gitops")
        let key = try keyPair("once", type: ["-t", "ed25519"])
        try host.addDeployKey(.init(repository: "homelab/gitops", title: "a", key: key, readOnly: true))
        XCTAssertThrowsError(
            try host.addDeployKey(.init(repository: "homelab/gitops", title: "b", key: key, readOnly: false))
        ) { XCTAssertEqual(($0 as? HLSError)?.message, "key is already in use") }
        XCTAssertThrowsError(
            try host.addDeployKey(.init(repository: "homelab/gitops", title: "c", key: "not a key", readOnly: true))
        ) {
            XCTAssertEqual(
                ($0 as? HLSError)?.message, "key is invalid. You must supply a key in OpenSSH public key format")
        }
        XCTAssertEqual(host.deployKeys(of: "homelab/gitops").map(\.title), ["a"])
        XCTAssertThrowsError(try host.createRepository("../etc")) { error in
            XCTAssertTrue((error as? HLSError)?.message.contains("not a repository name") ?? false)
        }
    }
}

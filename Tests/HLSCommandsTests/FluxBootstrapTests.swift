import Foundation
import HLSCore
import Kube
import Synchronization
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

    /// The lab's GitHub, whose account key is the user's own (in the run's HOME, which GitHub
    /// lets push), a simulated API whose Flux controllers the test plays (Ready), an age key,
    /// and the environment of a run with the inventory's gitops: pointing at them.
    struct Setup {
        let dir: TemporaryDirectory
        let flux: FluxHarness
        let lab: SimulatedLab
        let environment: [String: String]

        /// - Parameter inventory: more of the inventory, after its gitops: section.
        init(inventory more: String = "") throws {
            dir = try TemporaryDirectory("flux-bootstrap")
            flux = try FluxHarness(crds: false)
            try FileManager.default.createDirectory(
                atPath: flux.kube.dir.file(".ssh"), withIntermediateDirectories: true)
            let made = try runProcess(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", flux.kube.dir.file(".ssh/id_ed25519")])
            XCTAssertEqual(made.status, 0, made.stderr)
            let userKey = try String(contentsOfFile: flux.kube.dir.file(".ssh/id_ed25519.pub"), encoding: .utf8)
            lab = try FluxBootstrapTests.github(dir, accountKeys: [userKey])
            flux.verdicts.withLock { $0["flux-system"] = (true, "Applied revision") }
            flux.startController()
            try dir.write(
                "age.agekey", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n",
                mode: 0o600)
            let file = try FluxBootstrapTests.inventory(
                dir,
                gitops: """
                      url: ssh://git@github.com/example/homelab
                      branch: main
                      path: clusters/lab
                      flux_version: v2.9.4
                      install_sha256: \(FluxRelease.sha256)
                      age_key_file: \(dir.file("age.agekey"))
                    """ + more)
            environment = lab.environment.merging(flux.kube.environment) { _, harness in harness }.merging([
                "HLSH_LAB": file, "PATH": "/usr/bin:/bin",
            ]) { _, new in new }
        }

        func stop() {
            flux.stop()
            lab.stop()
        }

        /// The bare repository of `example/homelab` on the lab's GitHub.
        var repository: String { lab.directory + "/git/root/srv/git/example/homelab.git" }
    }

    func testBootstrapInstallsCommitsRegistersAndSyncsThenChangesNothing() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let (flux, lab, environment) = (setup.flux, setup.lab, setup.environment)

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
        let bare = setup.repository
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

    /// A first bootstrap logs in to the git host once: the user's key for the ls-remote, the
    /// clone and the push (one shared connection). The deploy key made for it is never tried by
    /// hlsh: not before it is registered (no host can know a key made just now), nor after
    /// GitHub's API created it on the repository (source-controller's fetch proves it).
    func testAFirstBootstrapLogsInToTheGitHostOnceWithTheUsersKey() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let run = runInProcess("flux bootstrap --timeout 30s | count", environment: setup.environment)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out.trimmingCharacters(in: .whitespacesAndNewlines), "4", run.err)
        let log = try String(contentsOfFile: setup.lab.directory + "/git/server/sshd.log", encoding: .utf8)
        // sshd ends its lines with CR LF, one Character to Swift: counted as substrings.
        XCTAssertEqual(log.components(separatedBy: "Accepted publickey for git").count - 1, 1, log)
        XCTAssertFalse(log.contains("Failed publickey"), log)
    }

    /// The user's login to the git host serves every verb of the process (docs/adr/0061): the
    /// scaffold pushed after a bootstrap, in the same runbook, logs in no more.
    func testAScaffoldPushedAfterABootstrapOfTheSameProcessLogsInNoMore() throws {
        let setup = try Setup(inventory: "\ndomain: home.example.com")
        defer { setup.stop() }
        let environment = setup.environment
        XCTAssertEqual(runInProcess("secret age-keygen", environment: environment).status, 0)
        let run = runInProcess(
            "flux bootstrap --timeout 30s | count\nflux scaffold --push | where action == \"push\" | count",
            environment: environment)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out.split(separator: "\n"), ["4", "1"], run.err)
        let log = try String(contentsOfFile: setup.lab.directory + "/git/server/sshd.log", encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "Accepted publickey for git").count - 1, 1, log)
    }

    /// A run stopped between registering the deploy key and storing it in the cluster (Ctrl-C
    /// during the install) left a key of bootstrap's title on GitHub that nobody holds: the
    /// next run, which makes a new key, removes that one first, as flux's own bootstrap does,
    /// and keeps the repository's other keys.
    func testAKeyAnEarlierRunRegisteredButNeverStoredIsReplacedNotKeptBeside() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let git = try XCTUnwrap(setup.lab.git)
        var keys: [String] = []
        for name in ["stale", "other"] {
            let made = try runProcess(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ecdsa", "-b", "384", "-N", "", "-f", setup.dir.file(name)])
            XCTAssertEqual(made.status, 0, made.stderr)
            keys.append(try String(contentsOfFile: setup.dir.file(name + ".pub"), encoding: .utf8))
        }
        let stale = try git.addDeployKey(
            .init(
                repository: "example/homelab", title: "flux-system-main-flux-system-./clusters/lab", key: keys[0],
                readOnly: true))
        let other = try git.addDeployKey(
            .init(repository: "example/homelab", title: "ci", key: keys[1], readOnly: true))

        let run = runInProcess("flux bootstrap --timeout 30s | count", environment: setup.environment)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(
            run.err.contains("removed deploy key \(stale.id) of example/homelab, which the cluster does not hold"),
            run.err)
        let left = git.deployKeys(of: "example/homelab")
        XCTAssertEqual(left.count, 2, "\(left)")
        XCTAssertEqual(left.first, other)
        let secret = try setup.flux.kube.client.get(.secrets, "flux-system", namespace: "flux-system")
        let held = String(
            decoding: Data(base64Encoded: secret.text("data", "identity.pub") ?? "") ?? Data(), as: UTF8.self)
        XCTAssertTrue(left.last?.key.hasPrefix(held.split(separator: " ").prefix(2).joined(separator: " ")) ?? false)
    }

    /// A deploy key the host no longer knows (removed on GitHub) is registered again, but the
    /// branch, read with the user's key, already has the files: nothing is committed or pushed,
    /// and no row says so.
    func testAForgottenDeployKeyIsRegisteredAgainWithoutAPushWhenTheBranchIsUpToDate() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let (lab, environment) = (setup.lab, setup.environment)
        let first = runInProcess("flux bootstrap --timeout 30s | count", environment: environment)
        XCTAssertEqual(first.status, 0, first.err)
        let git = try XCTUnwrap(lab.git)
        let head = git.head(of: "example/homelab")
        for key in git.deployKeys(of: "example/homelab") {
            try git.removeDeployKey(key.key, from: "example/homelab")
        }

        let again = runInProcess(
            "flux bootstrap --timeout 30s | select target action status | to json --compact", environment: environment)
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertEqual(
            again.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"target":"deploy key of example/homelab","action":"register","status":"applied"}]"#)
        XCTAssertEqual(git.head(of: "example/homelab"), head)
        XCTAssertEqual(git.deployKeys(of: "example/homelab").count, 1)
    }

    /// A teammate's push lands on main between bootstrap's fetch of it and its push (the lab's
    /// GitHub runs a script once it has packed bootstrap's clone: git's
    /// `uploadpack.packObjectsHook`, in the git user's global configuration): bootstrap stops
    /// with the reason, naming the branch, before it touches the cluster, and leaves the
    /// teammate's commit in place (a plain `--force` would have overwritten it); the next run
    /// builds on it.
    func testABranchThatMovedUnderTheBootstrapStopsItBeforeTheClusterIsTouched() throws {
        let setup = try Setup()
        defer { setup.stop() }
        // The git host's /home/git, as its git commands see it.
        let home = setup.lab.directory + "/git/root/home/git"
        try setup.dir.write(
            "move-main.sh",
            """
            #!/bin/sh
            # A teammate's commit (message $1) on top of main of the repository in the current folder.
            export GIT_AUTHOR_NAME=teammate GIT_AUTHOR_EMAIL=teammate@example.com
            export GIT_COMMITTER_NAME=teammate GIT_COMMITTER_EMAIL=teammate@example.com
            parent=$(git rev-parse -q --verify refs/heads/main)
            blob=$(echo "$1" | git hash-object -w --stdin)
            tree=$(printf '100644 blob %s\tTEAMMATE.md\n' "$blob" | git mktree)
            commit=$(git commit-tree ${parent:+-p "$parent"} -m "$1" "$tree")
            git update-ref refs/heads/main "$commit"

            """, mode: 0o755)
        try FileManager.default.copyItem(atPath: setup.dir.file("move-main.sh"), toPath: home + "/move-main.sh")
        // The repository already has a commit, so bootstrap clones it and leases its head.
        let seeded = try runProcess(
            "/bin/sh", ["-c", "cd \"$1\" && \"$2\" 'First commit'", "sh", setup.repository, home + "/move-main.sh"])
        XCTAssertEqual(seeded.status, 0, seeded.stderr)
        let first = try XCTUnwrap(setup.lab.git?.head(of: "example/homelab"))
        try setup.dir.write(
            "after-fetch.sh",
            """
            #!/bin/sh
            # Packs what a fetch asked for, then (once) a teammate's push lands on main.
            "$@"
            status=$?
            if [ ! -e /home/git/moved ]; then
                : >/home/git/moved
                cd /srv/git/example/homelab.git && GIT_DIR=. /home/git/move-main.sh "A teammate's commit"
            fi
            exit $status

            """, mode: 0o755)
        try FileManager.default.copyItem(atPath: setup.dir.file("after-fetch.sh"), toPath: home + "/after-fetch.sh")
        try "[uploadpack]\n\tpackObjectsHook = /home/git/after-fetch.sh\n".write(
            toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)

        let moved = runInProcess("flux bootstrap --timeout 30s", environment: setup.environment)
        XCTAssertEqual(moved.status, 1, moved.err)
        XCTAssertTrue(moved.err.contains("branch main of example/homelab moved under us"), moved.err)
        XCTAssertTrue(moved.err.contains("it was at \(first.prefix(8))"), moved.err)
        XCTAssertNil(
            try setup.flux.kube.client.getIfPresent(.namespaces, "flux-system"), "the cluster is untouched")
        let teammate = try XCTUnwrap(setup.lab.git?.head(of: "example/homelab"))
        XCTAssertNotEqual(teammate, first)
        let message = try runProcess(
            "/usr/bin/git", ["--git-dir", setup.repository, "log", "-1", "--format=%s", "main"])
        XCTAssertEqual(message.stdout, "A teammate's commit\n", "the teammate's commit stays on main")

        // The next run reads main afresh and commits on top of the teammate's commit.
        try FileManager.default.removeItem(atPath: home + "/.gitconfig")
        let again = runInProcess("flux bootstrap --timeout 30s", environment: setup.environment)
        XCTAssertEqual(again.status, 0, again.err)
        let parent = try runProcess("/usr/bin/git", ["--git-dir", setup.repository, "rev-parse", "main^"])
        XCTAssertEqual(parent.stdout, teammate + "\n")
        XCTAssertNotNil(try setup.flux.kube.client.getIfPresent(.namespaces, "flux-system"))
    }

    /// Ctrl-C while bootstrap waits for the deploy key leaves none of its temporary checkouts
    /// (with the deploy key's private half) behind in TMPDIR.
    func testCtrlCDuringBootstrapLeavesNoTemporaryCheckout() throws {
        let setup = try Setup()
        defer { setup.stop() }
        let temporary = try TemporaryDirectory("flux-bootstrap-tmp")
        var environment = setup.environment
        environment["TMPDIR"] = temporary.path
        // No token: bootstrap prints the key and waits until the host accepts it.
        environment["GITHUB_TOKEN"] = nil
        let cancellation = Cancellation()
        let path = temporary.path
        let folders: @Sendable () -> [String] = { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
        // Ctrl-C once both checkouts (the deploy key's and the user's) are made.
        let seen = Mutex<[String]>([])
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(30)
            while folders().count < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            seen.withLock { $0 = folders() }
            // Most often while it waits for the key to be registered.
            Thread.sleep(forTimeInterval: 2)
            cancellation.cancel()
        }
        let interrupted = runInProcess(
            "flux bootstrap --timeout 60s", environment: environment, cancellation: cancellation)
        XCTAssertEqual(interrupted.status, 130, interrupted.err)
        XCTAssertEqual(seen.withLock { $0 }.count, 2, "bootstrap's checkouts are made in TMPDIR")
        XCTAssertEqual(folders(), [], "temporary folders left behind")
    }

    /// The seed inventory pins the release the lab serves, by its checksum.
    func testTheSeedInventoryPinsTheSimulatedReleasesChecksum() throws {
        let seed = try String(contentsOfFile: "scripts/homelab.yaml", encoding: .utf8)
        let pinned = seed.split(separator: "\n").first { $0.contains("install_sha256:") }?
            .split(separator: ":").last?.split(separator: "#").first?.trimmingCharacters(in: .whitespaces)
        XCTAssertEqual(pinned, FluxRelease.sha256)
        XCTAssertTrue(seed.contains("flux_version: \(FluxRelease.version)"))
    }

    /// The git host's key is scanned (as `flux bootstrap` does), but one the user's known_hosts
    /// (here the lab's ssh_config's UserKnownHostsFile) records otherwise is refused, as ssh
    /// refuses it: nothing is registered, pushed or installed.
    func testAGitHostWhoseKeyChangedIsRefusedBeforeAnythingIsDone() throws {
        let setup = try Setup()
        defer { setup.stop() }
        // The lab's ssh_config (HLSH_SSH_CONFIG) includes github.com's, whose UserKnownHostsFile this is.
        let knownHosts = setup.lab.directory + "/git/known_hosts"
        XCTAssertTrue(try String(contentsOfFile: knownHosts, encoding: .utf8).hasPrefix("github.com "))
        let impostor = setup.dir.file("impostor")
        XCTAssertEqual(
            try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", impostor]).status, 0)
        let key = try String(contentsOfFile: impostor + ".pub", encoding: .utf8).split(separator: " ").prefix(2)
        try ("github.com " + key.joined(separator: " ") + "\n").write(
            toFile: knownHosts, atomically: true, encoding: .utf8)

        let refused = runInProcess("flux bootstrap --timeout 5s", environment: setup.environment)
        XCTAssertEqual(refused.status, 1, refused.err)
        XCTAssertTrue(refused.err.contains("HOST KEY OF github.com HAS CHANGED"), refused.err)
        XCTAssertTrue(refused.err.contains("\(knownHosts):1"), refused.err)
        XCTAssertNil(try setup.flux.kube.client.getIfPresent(.namespaces, "flux-system"), "the cluster is untouched")
        XCTAssertEqual(setup.lab.git?.head(of: "example/homelab"), nil, "nothing pushed")
        XCTAssertEqual(setup.lab.git?.deployKeys(of: "example/homelab").count, 0, "no deploy key registered")
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
        // Where the deploy key's file lives while git uses it: empty again after each refusal.
        let temporary = dir.file("tmp")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        environment["TMPDIR"] = temporary
        func assertTheKeyIsGone(_ run: (status: Int32, out: String, err: String), line: UInt = #line) {
            XCTAssertFalse((run.out + run.err).contains("PRIVATE KEY"), run.err, line: line)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [], line: line)
        }

        // No token: the key is printed, and the host never accepts it.
        environment["GITHUB_TOKEN"] = nil
        let refused = runInProcess("flux bootstrap --timeout 2s", environment: environment)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.err.contains("ecdsa-sha2-nistp384 AAAA"), refused.err)
        XCTAssertTrue(refused.err.contains("the git host refuses the deploy key of example/homelab"), refused.err)
        assertTheKeyIsGone(refused)

        // A host that does not answer.
        environment["HLSH_LAB"] = try Self.inventory(dir, gitops: "  url: ssh://git@127.0.0.1:1/example/homelab\n")
        let unreachable = runInProcess("flux bootstrap --timeout 2s", environment: environment)
        XCTAssertNotEqual(unreachable.status, 0)
        XCTAssertTrue(unreachable.err.contains("the git host 127.0.0.1 cannot be reached"), unreachable.err)
        assertTheKeyIsGone(unreachable)

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

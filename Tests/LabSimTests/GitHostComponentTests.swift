import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import LabSim

/// The lab's GitHub as a component: with no account keys given, the invoking user's
/// `~/.ssh/*.pub` are the owners' keys (they push, as on GitHub), reached through the lab's
/// `ssh_config` it writes in a lab without nodes; and the lab's merge of the components'
/// `HLSH_SIM_CONNECT_TO` entries.
final class GitHostComponentTests: XCTestCase {
    func testTheUsersPublicKeysInHomeAreTheAccountsPushKeys() throws {
        let dir = try TemporaryDirectory("labsim-git-home")
        let home = dir.file("home")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        for name in ["id_ed25519", "work"] {
            let made = try runProcess(
                "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", "\(home)/.ssh/\(name)"])
            XCTAssertEqual(made.status, 0, made.stderr)
        }
        // A key elsewhere is nobody's on the host; known_hosts and config in ~/.ssh are no keys.
        let stranger = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir.file("stranger")])
        XCTAssertEqual(stranger.status, 0, stranger.stderr)
        try "github.com ssh-ed25519 AAAA\n".write(toFile: home + "/.ssh/known_hosts", atomically: true, encoding: .utf8)

        // As in a lab without simulated nodes: it writes the lab's ssh_config, which git uses below.
        let component = GitHostComponent(
            directory: dir.file("lab"), options: SimulatedLab.GitOptions(repositories: ["example/homelab"]),
            writesLabSSHConfig: true, home: home)
        let environment = try component.start()
        defer { component.stop() }
        let sshConfig = try XCTUnwrap(environment["HLSH_SSH_CONFIG"])
        XCTAssertEqual(sshConfig, dir.file("lab/ssh_config"))
        XCTAssertEqual(
            try String(contentsOfFile: sshConfig, encoding: .utf8),
            "# The simulated lab's GitHub, then your own configuration.\n"
                + "Include \(dir.file("lab"))/ssh_config.d/*.conf\nInclude ~/.ssh/config\n")
        let words = { (file: String) throws -> String in
            try String(contentsOfFile: file, encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        }
        XCTAssertEqual(
            component.host.deployKeys(of: "example/*").map(\.key),
            [try words(home + "/.ssh/id_ed25519.pub"), try words(home + "/.ssh/work.pub")])

        // Each of them pushes to the owner's repository, by the name github.com.
        func git(_ arguments: [String], key: String, in directory: String? = nil) throws -> ProcessResult {
            let ssh =
                "ssh -F \(sshConfig) -i \(key) -o IdentitiesOnly=yes -o BatchMode=yes"
                + " -o StrictHostKeyChecking=yes"
            return try runProcess(
                "/usr/bin/git", (directory.map { ["-C", $0] } ?? []) + arguments,
                environment: [
                    "PATH": "/usr/bin:/bin", "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_SSH_COMMAND": ssh,
                    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                    "GIT_COMMITTER_EMAIL": "t@example.com",
                ], currentDirectory: dir.path)
        }
        let url = "ssh://git@github.com/example/homelab"
        let work = dir.file("work")
        XCTAssertEqual(try git(["init", "-q", "-b", "main", work], key: "").status, 0)
        try "hello\n".write(toFile: work + "/README.md", atomically: true, encoding: .utf8)
        XCTAssertEqual(try git(["add", "."], key: "", in: work).status, 0)
        XCTAssertEqual(try git(["commit", "-qm", "first"], key: "", in: work).status, 0)
        for key in ["id_ed25519", "work"] {
            let pushed = try git(
                ["push", "-q", "-f", url, "HEAD:refs/heads/\(key)"], key: "\(home)/.ssh/\(key)", in: work)
            XCTAssertEqual(pushed.status, 0, "\(key): \(pushed.stderr)")
        }
        let refused = try git(["ls-remote", url], key: dir.file("stranger"))
        XCTAssertNotEqual(refused.status, 0, "a key not in ~/.ssh got in")
    }

    func testConnectToEntriesForNamedHostsComeBeforeCatchAllsInTheOrderGiven() {
        XCTAssertEqual(SimulatedLab.mergeConnectTo(nil, "a.example:443:127.0.0.1:1"), "a.example:443:127.0.0.1:1")
        XCTAssertEqual(SimulatedLab.mergeConnectTo("", ":443:127.0.0.1:1"), ":443:127.0.0.1:1")
        // Traefik's catch-alls first, then GitHub's names: the names move ahead of them.
        XCTAssertEqual(
            SimulatedLab.mergeConnectTo(
                ":443:127.0.0.1:1,:80:127.0.0.1:2", "github.com:443:127.0.0.1:3,api.github.com:443:127.0.0.1:3"),
            "github.com:443:127.0.0.1:3,api.github.com:443:127.0.0.1:3,:443:127.0.0.1:1,:80:127.0.0.1:2")
        // Named entries keep their order, the earlier list's first; so do the catch-alls.
        XCTAssertEqual(
            SimulatedLab.mergeConnectTo("a:443:127.0.0.1:1,:443:127.0.0.1:2", "b:443:127.0.0.1:3,:80:127.0.0.1:4"),
            "a:443:127.0.0.1:1,b:443:127.0.0.1:3,:443:127.0.0.1:2,:80:127.0.0.1:4")
    }
}

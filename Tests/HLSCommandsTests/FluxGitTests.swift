import Foundation
import HLSCore
import LabSim
import TestSupport
import XCTest

@testable import HLSCommands

/// `flux bootstrap`'s git, on a first contact with the git host: the user's known_hosts has
/// never seen it, and ssh in batch mode cannot ask; the host key bootstrap scanned (the one the
/// cluster trusts) is what lets git in.
final class FluxGitTests: XCTestCase {
    /// The lab's GitHub, whose account key is a key made in `dir`'s `.ssh` (the user's, under
    /// HOME=`dir`); its loopback port and its host key (`TYPE BASE64`).
    private func gitHost(_ dir: TemporaryDirectory) throws -> (lab: SimulatedLab, port: UInt16, hostKey: String) {
        try FileManager.default.createDirectory(atPath: dir.file(".ssh"), withIntermediateDirectories: true)
        let made = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir.file(".ssh/id_ed25519")])
        XCTAssertEqual(made.status, 0, made.stderr)
        let userKey = try String(contentsOfFile: dir.file(".ssh/id_ed25519.pub"), encoding: .utf8)
        let lab = try FluxBootstrapTests.github(dir, accountKeys: [userKey])
        let git = try XCTUnwrap(lab.git)
        let port = try XCTUnwrap(git.port)
        let hostKey = try XCTUnwrap(git.hostPublicKey).split(separator: " ").prefix(2).joined(separator: " ")
        return (lab, port, hostKey)
    }

    func testAFirstContactWithTheGitHostIsTrustedThroughTheScannedKey() throws {
        let dir = try TemporaryDirectory("flux-git")
        let (lab, port, hostKey) = try gitHost(dir)
        defer { lab.stop() }
        // github.com is reached on loopback, and no known_hosts file has ever seen it.
        let config = try dir.write(
            "ssh_config",
            """
            Host github.com
                HostName 127.0.0.1
                Port \(port)
                User git
                HostKeyAlias github.com
                UserKnownHostsFile \(dir.file("never-seen"))

            """)
        let environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin", "HLSH_SSH_CONFIG": config]
        let url = "ssh://git@github.com/example/homelab"

        let trusting = try FluxGit(privateKey: nil, knownHosts: "github.com \(hostKey)", environment: environment)
        XCTAssertEqual(try trusting.remoteHead(url, branch: "main"), "")

        let stranger = try FluxGit(privateKey: nil, knownHosts: "", environment: environment)
        XCTAssertThrowsError(try stranger.remoteHead(url, branch: "main")) { error in
            XCTAssertTrue("\(error)".contains("Host key verification failed"), "\(error)")
        }
    }

    /// The git commands of one key share one login to the git host (ssh's connection sharing),
    /// and that connection ends with the `FluxGit`: no process is left holding its folder.
    func testTheCommandsOfOneKeyShareOneLoginThatEndsWithIt() throws {
        let dir = try TemporaryDirectory("flux-git-shared")
        let (lab, port, hostKey) = try gitHost(dir)
        defer { lab.stop() }
        let config = try dir.write(
            "ssh_config",
            "Host github.com\n    HostName 127.0.0.1\n    Port \(port)\n    User git\n    HostKeyAlias github.com\n")
        let environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin", "HLSH_SSH_CONFIG": config]
        let url = "ssh://git@github.com/example/homelab"

        var shared: FluxGit? = try FluxGit(
            privateKey: nil, knownHosts: "github.com \(hostKey)", environment: environment)
        let folder = try XCTUnwrap(shared?.folder)
        for _ in 0..<3 { XCTAssertEqual(try shared?.remoteHead(url, branch: "main"), "") }
        let log = try String(contentsOfFile: lab.directory + "/git/server/sshd.log", encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "Accepted publickey for git").count - 1, 1, log)

        shared = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))
        let holders = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
            guard let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: line, as: UTF8.self).contains(folder)
        }
        XCTAssertEqual(holders, [], "processes still naming \(folder)")
    }
}

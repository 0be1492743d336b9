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
    func testAFirstContactWithTheGitHostIsTrustedThroughTheScannedKey() throws {
        let dir = try TemporaryDirectory("flux-git")
        try FileManager.default.createDirectory(atPath: dir.file(".ssh"), withIntermediateDirectories: true)
        let made = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir.file(".ssh/id_ed25519")])
        XCTAssertEqual(made.status, 0, made.stderr)
        let userKey = try String(contentsOfFile: dir.file(".ssh/id_ed25519.pub"), encoding: .utf8)
        let lab = try FluxBootstrapTests.github(dir, accountKeys: [userKey])
        defer { lab.stop() }
        let git = try XCTUnwrap(lab.git)
        let port = try XCTUnwrap(git.port)
        let hostKey = try XCTUnwrap(git.hostPublicKey).split(separator: " ").prefix(2).joined(separator: " ")
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
}

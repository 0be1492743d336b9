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
        do {
            let git = try XCTUnwrap(lab.git)
            let port = try XCTUnwrap(git.port)
            let hostKey = try XCTUnwrap(git.hostPublicKey).split(separator: " ").prefix(2).joined(separator: " ")
            return (lab, port, hostKey)
        } catch {
            lab.stop()  // the caller's `defer` is not set yet
            throw error
        }
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

    /// OpenSSH reads `~/.ssh` under the passwd entry's home, not `$HOME`: rehearsing in a
    /// throwaway HOME, the git that hlsh runs must still read only that HOME's ssh config, keys
    /// and known_hosts (as hlsh's own SSH does), never the real home's. Checked with `ssh -G`,
    /// what ssh would use, in a HOME whose path has a space.
    func testGitsSSHReadsOnlyTheConfigKeysAndKnownHostsUnderHlshsHome() throws {
        let dir = try TemporaryDirectory("flux-git-home")
        let home = dir.file("throwaway home")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        XCTAssertEqual(
            try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", home + "/.ssh/id_ed25519"])
                .status, 0)
        try "Host github.com\n    HostName 127.0.0.9\n    Port 2222\n".write(
            toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
        let environment = ["HOME": home, "PATH": "/usr/bin:/bin"]

        let user = try FluxGit(privateKey: nil, knownHosts: "", environment: environment)
        let used = try Self.sshSettings(of: user)
        XCTAssertEqual(used["hostname"], ["127.0.0.9"], "the ssh config under HOME")
        XCTAssertEqual(used["port"], ["2222"])
        XCTAssertEqual(used["identityfile"], [home + "/.ssh/id_ed25519"], "only the key under HOME")
        XCTAssertEqual(used["userknownhostsfile"], [home + "/.ssh/known_hosts"])
        XCTAssertEqual(
            used["globalknownhostsfile"],
            ["/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2 \(user.folder)/known_hosts"])
        Self.assertNothingFromThePasswdHome(used)

        // No key under HOME: none at all, rather than ssh's defaults under the passwd home.
        try FileManager.default.removeItem(atPath: home + "/.ssh/id_ed25519")
        let keyless = try Self.sshSettings(of: try FluxGit(privateKey: nil, knownHosts: "", environment: environment))
        XCTAssertEqual(keyless["identityfile"], ["none"])
        Self.assertNothingFromThePasswdHome(keyless)

        // The deploy key: that key only, and the same config and known_hosts.
        let deploy = try FluxGit(privateKey: "not a real key\n", knownHosts: "", environment: environment)
        let deployed = try Self.sshSettings(of: deploy)
        XCTAssertEqual(deployed["identityfile"], [deploy.folder + "/identity"])
        XCTAssertEqual(deployed["identitiesonly"], ["yes"])
        XCTAssertEqual(deployed["hostname"], ["127.0.0.9"])
        XCTAssertEqual(deployed["userknownhostsfile"], [home + "/.ssh/known_hosts"])
        Self.assertNothingFromThePasswdHome(deployed)

        // HLSH_SSH_CONFIG, when set, is the config read instead (as for the nodes).
        try "Host github.com\n    Port 2200\n".write(
            toFile: dir.file("lab ssh_config"), atomically: true, encoding: .utf8)
        var withConfig = environment
        withConfig["HLSH_SSH_CONFIG"] = dir.file("lab ssh_config")
        let lab = try Self.sshSettings(of: try FluxGit(privateKey: nil, knownHosts: "", environment: withConfig))
        XCTAssertEqual(lab["port"], ["2200"])
        XCTAssertEqual(lab["hostname"], ["github.com"], "not the config under HOME")
    }

    /// What ssh would use to reach github.com as `git` runs it (`ssh -G`): each setting's values.
    static func sshSettings(of git: FluxGit) throws -> [String: [String]] {
        let command = try XCTUnwrap(git.environment["GIT_SSH_COMMAND"])
        let result = try runProcess(
            "/bin/sh", ["-c", command + " -G git@github.com"], environment: git.environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        var settings: [String: [String]] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            settings[String(line[..<space]), default: []].append(String(line[line.index(after: space)...]))
        }
        return settings
    }

    static func assertNothingFromThePasswdHome(
        _ settings: [String: [String]], file: StaticString = #filePath, line: UInt = #line
    ) {
        let passwdHome = getpwuid(getuid()).map { String(cString: $0.pointee.pw_dir) } ?? "/root"
        for (key, values) in settings
        where ["identityfile", "userknownhostsfile", "globalknownhostsfile"].contains(key) {
            for value in values {
                XCTAssertFalse(value.contains("~/"), "\(key) \(value)", file: file, line: line)
                XCTAssertFalse(value.contains(passwdHome + "/.ssh"), "\(key) \(value)", file: file, line: line)
            }
        }
    }

    /// The git commands of one key share one login to the git host (ssh's connection sharing).
    /// The user's own login outlives the `FluxGit` (whose folder goes with it): a later one of
    /// the process with the same terms logs in no more, one that trusts another host key line
    /// logs in anew; `UserGitConnections.endAll` (the process's exit) ends them all, leaving no
    /// process naming their folder, and removes it.
    func testTheUsersLoginServesTheProcessUntilItEndsAndOtherTermsLogInAnew() throws {
        let dir = try TemporaryDirectory("flux-git-shared")
        let (lab, port, hostKey) = try gitHost(dir)
        defer { lab.stop() }
        let config = try dir.write(
            "ssh_config",
            "Host github.com\n    HostName 127.0.0.1\n    Port \(port)\n    User git\n    HostKeyAlias github.com\n")
        let environment = ["HOME": dir.path, "PATH": "/usr/bin:/bin", "HLSH_SSH_CONFIG": config]
        let url = "ssh://git@github.com/example/homelab"
        func logins() throws -> Int {
            let log = try String(contentsOfFile: lab.directory + "/git/server/sshd.log", encoding: .utf8)
            return log.components(separatedBy: "Accepted publickey for git").count - 1
        }

        var shared: FluxGit? = try FluxGit(
            privateKey: nil, knownHosts: "github.com \(hostKey)", environment: environment)
        let folder = try XCTUnwrap(shared?.folder)
        for _ in 0..<3 { XCTAssertEqual(try shared?.remoteHead(url, branch: "main"), "") }
        XCTAssertEqual(try logins(), 1)
        shared = nil
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder))

        let again = try FluxGit(privateKey: nil, knownHosts: "github.com \(hostKey)", environment: environment)
        XCTAssertEqual(try again.remoteHead(url, branch: "main"), "")
        XCTAssertEqual(try logins(), 1, "the same terms: the process's login")
        let other = try FluxGit(
            privateKey: nil, knownHosts: "github.com \(hostKey)\n# another line", environment: environment)
        XCTAssertEqual(try other.remoteHead(url, branch: "main"), "")
        XCTAssertEqual(try logins(), 2, "another host key line trusted: a login of its own")

        let command = try XCTUnwrap(again.environment["GIT_SSH_COMMAND"])
        let connections = try XCTUnwrap(
            command.firstMatch(of: /ControlPath=([^ ']*)\/mux-/).map { String($0.output.1) }, command)
        XCTAssertTrue(connections.contains("/hlsh-git-mux."), connections)
        let attributes = try FileManager.default.attributesOfItem(atPath: connections)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        UserGitConnections.endAll()
        XCTAssertFalse(FileManager.default.fileExists(atPath: connections))
        var holders: [String] = []
        for _ in 0..<50 {
            holders = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { pid in
                guard let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                return String(decoding: line, as: UTF8.self).contains(connections)
            }
            if holders.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(holders, [], "processes still naming \(connections)")
    }

    /// A folder an hlsh killed before its `deinit` ran (SIGKILL, a test's timeout) is removed by
    /// the next one: ours, with a PID that no longer runs. A live process's, and one of another
    /// shape, stay.
    func testTheFolderOfAKilledRunIsSweptAndALiveOnesKept() throws {
        let dir = try TemporaryDirectory("flux-git-sweep")
        let ended = try runProcess("/bin/sh", ["-c", "echo $$"])
        let deadPID = try XCTUnwrap(Int32(ended.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let dead = dir.file("\(FluxGit.folderPrefix)\(deadPID).abcdef")
        let live = dir.file("\(FluxGit.folderPrefix)1.ghijkl")
        let unknown = dir.file("\(FluxGit.folderPrefix)Xy12Zq")
        for folder in [dead, live, unknown] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try PrivateFile.write("-----BEGIN OPENSSH PRIVATE KEY-----\n", to: folder + "/identity")
        }
        var made: String?
        do {
            let git = try FluxGit(
                privateKey: nil, knownHosts: "", environment: ["HOME": dir.path, "TMPDIR": dir.path])
            made = git.folder
            XCTAssertTrue(git.folder.hasPrefix(dir.file("\(FluxGit.folderPrefix)\(getpid()).")), git.folder)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead), "the killed run's folder")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a live process's folder")
        XCTAssertTrue(FileManager.default.fileExists(atPath: unknown), "a folder of another shape")
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(made)), "its own, at deinit")
    }
}

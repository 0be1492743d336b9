import Foundation
import HLSCore
import LabSim
import TestSupport
import XCTest

/// The lab's GitHub as real clients reach it by its real names: `git` and `ssh` through the lab's
/// ssh_config (an account key pushes, the host key already known), and curl through the lab's
/// `HLSH_SIM_CONNECT_TO` and CA: the deploy-key API with GitHub's answers, and a release download
/// by way of GitHub's redirect.
final class SimulatedLabGitHubTests: XCTestCase {
    func testGitHubIsReachedByItsNamesAndAnswersAsGitHubDoes() throws {
        let dir = try TemporaryDirectory("labsim-github")
        let made = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "me", "-f", dir.file("me")])
        XCTAssertEqual(made.status, 0, made.stderr)
        let account = try String(contentsOfFile: dir.file("me.pub"), encoding: .utf8)
        let install = Array("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n".utf8)
        let lab = try SimulatedLab.temporary(
            SimulatedLab.Options(
                pve: .seedLabWithFreshSecrets(timings: .demo), nodeImage: nil, kube: nil,
                git: SimulatedLab.GitOptions(
                    repositories: ["example/homelab"], accountKeys: [account],
                    assets: { ["fluxcd/flux2/v2.9.4/install.yaml": install] })),
            under: dir.path)
        defer { lab.stop() }
        let env = lab.environment
        let sshConfig = try XCTUnwrap(env["HLSH_SSH_CONFIG"])

        // git over SSH by the name github.com, the host key checked strictly against the lab's file.
        let ssh =
            "ssh -F \(sshConfig) -i \(dir.file("me")) -o IdentitiesOnly=yes -o BatchMode=yes "
            + "-o StrictHostKeyChecking=yes"
        let gitEnv = [
            "PATH": "/usr/bin:/bin", "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1", "GIT_SSH_COMMAND": ssh,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        ]
        let work = dir.file("work")
        var git = try runProcess(
            "/usr/bin/git", ["clone", "-q", "ssh://git@github.com/example/homelab", work], environment: gitEnv)
        XCTAssertEqual(git.status, 0, git.stderr)
        try "hello\n".write(toFile: work + "/README.md", atomically: true, encoding: .utf8)
        for args in [["add", "."], ["commit", "-qm", "first"], ["push", "-q", "origin", "HEAD:main"]] {
            git = try runProcess("/usr/bin/git", ["-C", work] + args, environment: gitEnv)
            XCTAssertEqual(git.status, 0, "git \(args): \(git.stderr)")
        }
        let head = try runProcess("/usr/bin/git", ["-C", work, "rev-parse", "HEAD"], environment: gitEnv)
        XCTAssertEqual(
            lab.git?.head(of: "example/homelab"), head.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        // Another owner's repository is not the account key's.
        git = try runProcess(
            "/usr/bin/git", ["ls-remote", "ssh://git@github.com/other/homelab"], environment: gitEnv,
            currentDirectory: dir.path)
        XCTAssertNotEqual(git.status, 0)
        XCTAssertTrue(git.stderr.contains("ERROR: Repository not found."), git.stderr)

        // HTTPS by name, through the lab's CONNECT_TO entries and CA.
        let connectTo = try XCTUnwrap(env["HLSH_SIM_CONNECT_TO"]).split(separator: ",").flatMap {
            ["--connect-to", String($0)]
        }
        let token = try XCTUnwrap(env["GITHUB_TOKEN"])
        func curl(_ args: [String], token: String? = token) throws -> (status: Int, body: String) {
            let auth = token.map { ["-H", "Authorization: Bearer \($0)"] } ?? []
            let result = try runProcess(
                "/usr/bin/curl",
                ["-sS", "--cacert", try XCTUnwrap(env["HLSH_SIM_CA_FILE"]), "-w", "\n%{http_code}"] + connectTo + auth
                    + args)
            XCTAssertEqual(result.status, 0, result.stderr)
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        let keys = "https://api.github.com/repos/example/homelab/keys"
        let deployKey =
            "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBLmGvZ0J"
            + "Qe5rXbZ6n6m3xHn2rHDAhtC3k2V2j3bSwyCqz5l2qK3g6b1fQ0wqfW9q3yQ6Pg2l7b0gN0jFq9n8S1Q0c3sYl8m2B6x0j8c1x6Q"
            + "8m2a5gC7k1Z4n4Q=="
        let body =
            #"{"title":"flux-system-main-flux-system-./kubernetes/clusters/homelab","key":"\#(deployKey)","read_only":true}"#
        var answer = try curl(["-X", "POST", "-d", body, keys])
        XCTAssertEqual(answer.status, 201, answer.body)
        let created = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        XCTAssertEqual(created?["read_only"] as? Bool, true)
        XCTAssertEqual(created?["title"] as? String, "flux-system-main-flux-system-./kubernetes/clusters/homelab")
        let id = try XCTUnwrap(created?["id"] as? Int)
        XCTAssertEqual(lab.git?.deployKeys(of: "example/homelab").map(\.readOnly), [true])

        answer = try curl(["-X", "POST", "-d", body, keys])
        XCTAssertEqual(answer.status, 422)
        XCTAssertTrue(answer.body.contains(#""message": "key is already in use""#), answer.body)
        answer = try curl([keys])
        XCTAssertEqual(answer.status, 200)
        XCTAssertTrue(answer.body.contains("\"id\": \(id)"), answer.body)
        answer = try curl([keys], token: "ghp_wrong")
        XCTAssertEqual(answer.status, 401)
        XCTAssertTrue(answer.body.contains("Bad credentials"), answer.body)
        answer = try curl([keys], token: nil)
        XCTAssertEqual(answer.status, 401)
        XCTAssertTrue(answer.body.contains("Requires authentication"), answer.body)
        answer = try curl(["https://api.github.com/repos/example/missing/keys"])
        XCTAssertEqual(answer.status, 404)
        answer = try curl(["-X", "DELETE", "\(keys)/\(id)"])
        XCTAssertEqual(answer.status, 204)
        XCTAssertEqual(lab.git?.deployKeys(of: "example/homelab").count, 0)

        // A release download: GitHub's redirect, then the asset's bytes.
        let release = "https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml"
        answer = try curl([release], token: nil)
        XCTAssertEqual(answer.status, 302)
        answer = try curl(["-L", release], token: nil)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.body, String(decoding: install, as: UTF8.self))
        answer = try curl(["https://github.com/fluxcd/flux2/releases/download/v2.9.4/nothing.yaml"], token: nil)
        XCTAssertEqual(answer.status, 404)
    }

    /// A lab started again in its directory keeps its token, as it keeps its CA: `DIR/env` and a
    /// `GITHUB_TOKEN` exported from it stay valid.
    func testTheTokenOutlivesARestartInTheSameDirectory() throws {
        let dir = try TemporaryDirectory("labsim-github-token")
        let options = SimulatedLab.Options(
            pve: .seedLabWithFreshSecrets(timings: .demo), nodeImage: nil, kube: nil,
            git: SimulatedLab.GitOptions(repositories: ["example/homelab"], accountKeys: []))
        var tokens: [String] = []
        for _ in 0..<2 {
            let lab = try SimulatedLab.start(options, in: dir.file("lab"))
            tokens.append(try XCTUnwrap(lab.environment["GITHUB_TOKEN"]))
            lab.stop()
        }
        XCTAssertTrue(tokens[0].hasPrefix("ghp_"), tokens[0])
        XCTAssertEqual(tokens[0], tokens[1], "a restart changed the token")
    }
}

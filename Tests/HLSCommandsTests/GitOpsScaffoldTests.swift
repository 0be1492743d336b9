import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import Secrets

/// `flux scaffold` on the seed's inventory: a tree every kustomization of which kubectl builds,
/// the dependsOn chain controllers → configs → apps, Longhorn's replicas fitting two nodes, the
/// DNS token encrypted to the lab's key, and a second run that changes nothing and keeps a file
/// the user edited.
final class GitOpsScaffoldTests: XCTestCase {
    static let inventory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/homelab.yaml").path

    func testTheScaffoldBuildsWithKubectlChainsItsKustomizationsAndNeverOverwritesYourChanges() throws {
        let dir = try TemporaryDirectory("scaffold")
        let env = ["HOME": dir.path, "PATH": "/usr/bin:/bin", "CLOUDFLARE_API_TOKEN": "cf-t0ken-123"]
        let repo = dir.file("gitops")
        let code = #"lab use "\#(Self.inventory)"; secret age-keygen; flux scaffold "\#(repo)""#
        var run = runInProcess(code, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertFalse(run.out.contains("cf-t0ken"), run.out)

        let cluster = repo + "/kubernetes/clusters/homelab"
        for name in ["infrastructure.yaml", "infrastructure-configs.yaml", "apps.yaml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: cluster + "/" + name), name)
        }
        func kustomization(_ file: String) throws -> Document {
            try YAMLCodec.decode(try String(contentsOfFile: cluster + "/" + file, encoding: .utf8))
        }
        XCTAssertNil(try kustomization("infrastructure.yaml")["spec"]?["dependsOn"])
        XCTAssertEqual(
            try kustomization("infrastructure-configs.yaml")["spec"]?["dependsOn"],
            .array([.object([("name", .string("infrastructure-controllers"))])]))
        XCTAssertEqual(
            try kustomization("apps.yaml")["spec"]?["dependsOn"],
            .array([.object([("name", .string("infrastructure-configs"))])]))
        XCTAssertEqual(try kustomization("apps.yaml")["spec"]?["decryption"]?["provider"], .string("sops"))

        // Every directory Flux builds, kubectl builds too.
        for path in ["infrastructure/controllers", "infrastructure/configs", "apps/homelab"] {
            let built = try runProcess("/usr/bin/kubectl", ["kustomize", repo + "/kubernetes/" + path])
            XCTAssertEqual(built.status, 0, "\(path): \(built.stderr)")
            if path == "infrastructure/controllers" {
                XCTAssertTrue(built.stdout.contains("defaultClassReplicaCount: 2"), "two VMs, two replicas")
                XCTAssertTrue(built.stdout.contains("defaultReplicaCount: \"2\""))
            }
            if path == "apps/homelab" {
                XCTAssertTrue(built.stdout.contains("host: whoami.home.example.com"), built.stdout)
            }
        }

        // The token is in the repository only encrypted, to the key `secret age-keygen` made.
        let secretFile = repo + "/kubernetes/infrastructure/configs/cert-manager/cloudflare-api-token.sops.yaml"
        let encrypted = try String(contentsOfFile: secretFile, encoding: .utf8)
        XCTAssertFalse(encrypted.contains("cf-t0ken"), encrypted)
        let key = try String(contentsOfFile: dir.file(".config/sops/age/keys.txt"), encoding: .utf8)
        let plain = try SOPSFile.decrypt(
            try YAMLCodec.decodeAll(encrypted), identities: try AgeIdentity.parseFile(key, file: "keys.txt"))
        XCTAssertEqual(plain.first?["stringData"]?["api-token"], .string("cf-t0ken-123"))
        let sops = try String(contentsOfFile: repo + "/.sops.yaml", encoding: .utf8)
        XCTAssertTrue(sops.contains(try AgeIdentity.parseFile(key, file: "k")[0].recipient.text))

        // Again: nothing to add; a file you changed is kept and said so.
        let apps = cluster + "/apps.yaml"
        let scaffolded = try String(contentsOfFile: apps, encoding: .utf8)
        let edited = scaffolded.replacingOccurrences(of: "interval: 1h", with: "interval: 10m")
        XCTAssertNotEqual(edited, scaffolded, "the test's edit changes the file (else 'kept' proves nothing)")
        try edited.write(toFile: apps, atomically: true, encoding: .utf8)
        run = runInProcess(code + " -o json", environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertFalse(run.out.contains("\"create\""), run.out)
        XCTAssertTrue(run.out.contains("\"keep\""), run.out)
        XCTAssertTrue(run.out.contains("kubernetes/clusters/homelab/apps.yaml"), run.out)
        XCTAssertEqual(try String(contentsOfFile: apps, encoding: .utf8), edited)
        XCTAssertEqual(try String(contentsOfFile: secretFile, encoding: .utf8), encrypted)
    }

    /// Without the token the placeholder is encrypted, and the plan says how to replace it later:
    /// scaffolding again with the variable set adds nothing, since scaffold never overwrites.
    func testWithoutTheDNSTokenThePlanSaysHowToReplaceThePlaceholder() throws {
        let dir = try TemporaryDirectory("scaffold-no-token")
        let env = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let code = #"lab use "\#(Self.inventory)"; secret age-keygen; flux scaffold "\#(dir.file("gitops"))" -o json"#
        let run = runInProcess(code, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("placeholder REPLACE-ME"), run.out)
        XCTAssertTrue(run.out.contains("delete this file and scaffold again"), run.out)
    }

    /// Neither a directory nor --push: the error says what each is for (it used to say "not
    /// both", which is what the other mistake is).
    func testScaffoldWithNeitherATreeNorPushSaysWhatEachDoes() throws {
        let dir = try TemporaryDirectory("scaffold-neither")
        let env = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let neither = runInProcess(#"lab use "\#(Self.inventory)"; flux scaffold"#, environment: env)
        XCTAssertEqual(neither.status, 2)
        XCTAssertTrue(neither.err.contains("say where the tree goes: a working tree DIR"), neither.err)
        let both = runInProcess(#"lab use "\#(Self.inventory)"; flux scaffold "\#(dir.path)" --push"#, environment: env)
        XCTAssertTrue(both.err.contains("not both"), both.err)
    }

    /// Logs reach Loki: Alloy's configuration discovers the pods of its own node, tails them
    /// through the API and pushes them to the loki release's gateway, and Grafana has that same
    /// Loki as a data source.
    func testAlloyPushesItsNodesPodLogsToLokiAndGrafanaReadsThem() throws {
        let dir = try TemporaryDirectory("scaffold-logs")
        let env = ["HOME": dir.path, "PATH": "/usr/bin:/bin", "CLOUDFLARE_API_TOKEN": "cf-t0ken-123"]
        let repo = dir.file("gitops")
        let run = runInProcess(
            #"lab use "\#(Self.inventory)"; secret age-keygen; flux scaffold "\#(repo)""#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        func values(_ chart: String) throws -> Document {
            let path = repo + "/kubernetes/infrastructure/controllers/monitoring/release-\(chart).yaml"
            let release: Document = try YAMLCodec.decode(try String(contentsOfFile: path, encoding: .utf8))
            return try XCTUnwrap(release["spec"]?["values"], chart)
        }
        let push = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"
        guard case .string(let config) = try values("alloy")["alloy"]?["configMap"]?["content"] else {
            return XCTFail("no alloy.configMap.content")
        }
        for part in [
            #"discovery.kubernetes "pods" {"#, #"role = "pod""#,
            #"field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)"#,
            "targets    = discovery.relabel.pods.output", "forward_to = [loki.write.default.receiver]",
            #"loki.source.kubernetes "pods" {"#, #"url = "\#(push)""#,
        ] {
            XCTAssertTrue(config.contains(part), "\(part) in\n\(config)")
        }
        guard case .array(let sources) = try values("kube-prometheus-stack")["grafana"]?["additionalDataSources"] else {
            return XCTFail("no grafana.additionalDataSources")
        }
        XCTAssertEqual(sources.map { $0["type"] }, [.string("loki")])
        XCTAssertEqual(sources.first?["url"], .string("http://loki-gateway.monitoring.svc.cluster.local"))
        XCTAssertEqual(sources.first?["name"], .string("Loki"))
    }
}

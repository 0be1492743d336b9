import Foundation
import HLSCore
import HLSFormats
import HLSLanguage
import TestSupport
import XCTest

@testable import HLSCommands
@testable import LabSim

/// Every example in the help of the command modules runs, against a simulated lab whose VMs
/// exist (the builtins' examples are run by HLSLanguageTests).
///
/// The examples of verbs that change the lab (`vm start`, `vm destroy` …) each get a fresh lab
/// (`vm destroy` must not take a VM from the next one). The others share one lab that advances
/// through the stages they need (`Stage`): the queries of `vm`, `lab` and the rest on its VMs,
/// then the `node` examples that need only SSH, before k3s is set up by the test (so `node k3s
/// all` installs it), then the kubeconfig ones, then the kube ones on the cluster, whose objects
/// are applied again before each (`kube delete ns scratch` must not take them from the next one),
/// with the cert ones on cert-manager and Certificate `apps/web`, then `probe`'s on an ingress host.
/// A lab costs about 4 s to make: the test took 149 s with a lab per example and phase 2 per kube
/// example, 36 s now (at a load of 1–5).
final class CommandExamplesTests: XCTestCase {
    func testEveryCommandExampleRuns() throws {
        // What the command modules declare, read from the registries apart from the loop below,
        // so that an example the loop skips or cannot start is named at the end.
        let declared = Self.examples(of: Commands.registry()).subtracting(Self.examples(of: Builtins.registry))
        XCTAssertFalse(declared.isEmpty)
        let builtins = Set(Builtins.registry.specs.map(\.name))
        let all = Commands.registry().specs.filter { !builtins.contains($0.name) }
            .flatMap { spec in spec.examples.map { (spec: spec, example: $0) } }
        // In the order of the stages they need (stable within a stage), so the shared lab only
        // moves forward.
        let ordered = all.enumerated().sorted { a, b in
            (Stage.of(a.element.spec), a.offset) < (Stage.of(b.element.spec), b.offset)
        }.map(\.element)
        var shared: SharedLab?
        var ran: Set<String> = []
        for (spec, example) in ordered {
            do {
                try run(example, of: spec, shared: &shared)
                ran.insert(Self.label(spec, example))
            } catch {
                XCTFail("the example of \(spec.name) could not run: \(example.code)\n\(error)")
            }
        }
        XCTAssertEqual(declared.subtracting(ran).sorted(), [], "declared examples that were not run")
    }

    /// `verb: code`, naming one example.
    static func label(_ spec: CommandSpec, _ example: Example) -> String { "\(spec.name): \(example.code)" }

    /// Every example of every verb of `registry`.
    static func examples(of registry: Registry) -> Set<String> {
        Set(registry.specs.flatMap { spec in spec.examples.map { label(spec, $0) } })
    }

    /// What an example needs of its lab, in the order the shared lab reaches them.
    enum Stage: Int, Comparable {
        /// A lab of its own whose VMs exist.
        case ownLab
        /// The shared lab, whose VMs exist.
        case vms
        /// … and its nodes answer on SSH, their host keys accepted.
        case ssh
        /// … and k3s runs on every node.
        case k3s
        /// … and the kubeconfig is merged, the worker is Ready, and the kube examples' objects exist.
        case cluster
        /// … and Traefik serves `app.home.example.com` with a certificate from `ca.pem`.
        case ingress
        /// … and Flux is bootstrapped from the lab's GitHub, its repository exported to `~/gitops`
        /// (which `flux validate` checks and `flux scaffold` writes into).
        case flux

        static func of(_ spec: CommandSpec) -> Stage {
            switch spec.path.first {
            case "kube", "volume", "cert": .cluster
            case "probe": .ingress
            case "flux": .flux
            // node's cluster verbs (they take --context) need the cluster; kubeconfig only k3s.
            case "node":
                spec.flags.contains { $0.name == "context" } ? .cluster : spec.name == "node kubeconfig" ? .k3s : .ssh
            default: spec.mutates ? .ownLab : .vms
            }
        }

        static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    /// The lab the node and kube examples share, and the stage it has reached.
    struct SharedLab {
        let lab: LabHarness
        var stage: Stage
    }

    /// Runs one example: in a fresh lab whose VMs exist, or in the shared one brought to the
    /// stage the example needs.
    func run(_ example: Example, of spec: CommandSpec, shared: inout SharedLab?) throws {
        if spec.name == "sim serve" { return try runSimServe(example.code) }
        let stage = Stage.of(spec)
        let lab: LabHarness
        if stage == .ownLab {
            lab = try LabHarness()
            XCTAssertEqual(lab.run("vm apply --all").status, 0, "setting up the lab for \(spec.name)")
        } else {
            lab = try advance(&shared, to: stage)
        }
        var code = example.code
        if stage == .cluster { code = try resetObjects(lab, for: code) }
        if stage == .ingress { code = code.replacingOccurrences(of: "ca.pem", with: lab.home.file("ca.pem")) }
        if spec.path.first == "volume" { try prepareLonghorn(lab) }
        if spec.path.first == "cert" { try prepareCertManager(lab) }
        if spec.name == "kube loki" { try prepareLoki(lab) }
        if spec.name == "secret encrypt" || spec.name == "secret decrypt" {
            code = try prepareSecrets(lab, encrypted: spec.name == "secret decrypt", for: code)
        }
        if spec.name == "flux scaffold" {
            XCTAssertEqual(lab.run("secret age-keygen").status, 0, "the age key scaffold encrypts to")
            code = code.replacingOccurrences(
                of: "flux scaffold gitops", with: #"flux scaffold "\#(lab.home.file("gitops"))""#)
        }
        if stage == .flux {
            // The checkout of the GitOps repository the stage exported (the folder `flux scaffold` writes).
            code = code.replacingOccurrences(of: " gitops", with: " \(lab.home.path)/gitops")
        }
        let result = lab.run(code)
        // The check verbs exit 1 when a check of this half-built lab fails, after giving every row (ADR 0044).
        let check = ["lab doctor", "lab status"].contains(spec.name)
        XCTAssertTrue(
            result.status == 0 || (check && result.status == 1 && !result.out.isEmpty),
            "example of \(spec.name) failed (\(result.status)): \(example.code)\n\(result.err)")
        if let expected = example.output {
            XCTAssertEqual(result.out, expected, "output of the example of \(spec.name): \(example.code)")
        }
    }

    /// The shared lab at `stage` at least, made or advanced as needed.
    func advance(_ shared: inout SharedLab?, to stage: Stage) throws -> LabHarness {
        if shared == nil {
            let lab = try LabHarness()
            XCTAssertEqual(lab.run("vm apply --all").status, 0, "setting up the shared lab")
            shared = SharedLab(lab: lab, stage: .vms)
        }
        let lab = shared!.lab
        if shared!.stage < .ssh && stage >= .ssh {
            // New VMs: their host keys are accepted once, as the runbook does.
            let setup = lab.run("node wait all --for ssh --accept-new --timeout 60s --every 200ms")
            XCTAssertEqual(setup.status, 0, "the simulated nodes answer on SSH: \(setup.err)")
            shared!.stage = .ssh
        }
        if shared!.stage < .k3s && stage >= .k3s {
            let k3s = lab.run("node k3s all")
            XCTAssertEqual(k3s.status, 0, "k3s on the shared lab: \(k3s.err)")
            shared!.stage = .k3s
        }
        if shared!.stage < .cluster && stage >= .cluster {
            let setup = lab.run("node kubeconfig\nkube wait node k3s-wk-01 --for condition=Ready --timeout 60s")
            XCTAssertEqual(setup.status, 0, "the simulated cluster for the kube examples: \(setup.err)")
            shared!.stage = .cluster
        }
        if shared!.stage < .ingress && stage >= .ingress {
            try lab.installIngress()
            shared!.stage = .ingress
        }
        if shared!.stage < .flux && stage >= .flux {
            XCTAssertEqual(lab.run("secret age-keygen").status, 0, "the lab's age key made")
            let setup = lab.run("flux bootstrap --timeout 120s")
            XCTAssertEqual(setup.status, 0, "Flux bootstrapped for the flux examples: \(setup.err)")
            let repository = lab.lab.directory + "/git/root/srv/git/example/homelab.git"
            try FileManager.default.createDirectory(atPath: lab.home.file("gitops"), withIntermediateDirectories: true)
            let export = try runProcess(
                "/bin/sh",
                [
                    "-c", "git --git-dir \"$1\" archive main | tar -x -C \"$2\"", "sh", repository,
                    lab.home.file("gitops"),
                ])
            XCTAssertEqual(export.status, 0, "the GitOps repository exported: \(export.stderr)")
            shared!.stage = .flux
        }
        return lab
    }

    /// Before each cluster example: every node uncordoned (a drain or cordon example leaves its
    /// node cordoned), and the objects the examples name applied again: namespaces `apps` and
    /// `scratch`, ConfigMap `apps/settings`, pod `apps/web` running on the worker (a ReplicaSet's, so
    /// the drain and reboot examples evict it rather than refuse a bare pod), and a
    /// `manifests/` folder (the example's relative path becomes the harness's folder).
    func resetObjects(_ lab: LabHarness, for code: String) throws -> String {
        let uncordoned = lab.run("node uncordon all")
        XCTAssertEqual(uncordoned.status, 0, "uncordoning the shared cluster: \(uncordoned.err)")
        let objects = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: apps}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: scratch}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: apps}
            data: {greeting: hello}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: apps
              # A ReplicaSet's pod, as a Deployment's are: drain evicts it (a bare pod it refuses).
              ownerReferences:
              - {apiVersion: apps/v1, kind: ReplicaSet, name: web-5d7c9b8f4, uid: 7f0c2a4e-5b1d-4e7a-9a61-2f3b8c9d0e11, controller: true}
            spec:
              nodeName: k3s-wk-01
              containers: [{name: web, image: nginx}]
            """
        let manifests = try lab.home.write("manifests/objects.yaml", objects)
        let applied = lab.run("kube apply -f \"\(manifests)\"")
        XCTAssertEqual(applied.status, 0, "the kube examples' objects: \(applied.err)")
        let running = lab.run("kube wait pod web -n apps --for condition=Ready --timeout 30s")
        XCTAssertEqual(running.status, 0, "the worker's kubelet runs the examples' pod: \(running.err)")
        return code.replacingOccurrences(of: "manifests/", with: lab.home.file("manifests") + "/")
    }

    /// Before a volume example: Longhorn installed once (as `LonghornLab` installs it, until
    /// the simulated helm-controller does) on hardened nodes, with 2 replicas for the two nodes, and claim
    /// `apps/data` used by pod `apps/db` on the server, its volume healthy.
    func prepareLonghorn(_ lab: LabHarness) throws {
        let kube = try XCTUnwrap(lab.lab.kube)
        if kube.object(path: "/api/v1/namespaces/longhorn-system") == nil {
            // Longhorn's prerequisites (open-iscsi, iscsid, iscsi_tcp, multipathd's blacklist).
            let hardened = lab.run("node harden all")
            XCTAssertEqual(hardened.status, 0, "hardening the shared lab for Longhorn: \(hardened.err)")
            try LonghornLab.install(
                values: "persistence:\n  defaultClassReplicaCount: 2\ndefaultSettings:\n  defaultReplicaCount: 2\n",
                client: XCTUnwrap(kube.inProcessClient(manager: "helm-controller")))
        }
        let objects =
            LonghornLab.claimYAML("data", size: "1Gi") + "\n---\n"
            + LonghornLab.podYAML("db", claim: "data", on: "k3s-cp-01")
        let manifest = try lab.home.write("longhorn/objects.yaml", objects)
        let applied = lab.run("kube apply -f \"\(manifest)\"")
        XCTAssertEqual(applied.status, 0, "the volume examples' objects: \(applied.err)")
        let healthy = lab.run("volume wait data -n apps --for healthy --timeout 30s")
        XCTAssertEqual(healthy.status, 0, "the volume examples' volume: \(healthy.err)")
    }

    /// Before a cert example: cert-manager installed once (its chart's manifests applied as the
    /// simulated helm-controller would) and taking Issuers, with CertCommandsTests' CA issuers;
    /// and Certificate `apps/web` of the CA issued.
    func prepareCertManager(_ lab: LabHarness) throws {
        if try installOnce("cert-manager", in: lab, { [(CertManagerChart.chart, .object([]))] }) {
            let ready = lab.run("cert ready --timeout 60s")
            XCTAssertEqual(ready.status, 0, "cert-manager for the cert examples: \(ready.err)")
        }
        let manifest = try lab.home.write(
            "cert/objects.yaml",
            CertCommandsTests.caIssuers + "\n---\n"
                + CertCommandsTests.web.replacingOccurrences(
                    of: "namespace: default", with: "namespace: apps"))
        let issued = lab.run("kube apply -f \"\(manifest)\"\ncert wait web -n apps --timeout 60s")
        XCTAssertEqual(issued.status, 0, "the cert examples' certificate: \(issued.err)")
    }

    /// Before a kube loki example: Loki and Alloy with the scaffold's values (`GitOpsTree`: Alloy's
    /// pipeline to the gateway, its labels) installed once, their charts' manifests applied as the
    /// simulated helm-controller would (Loki without its volume: no provisioner here), and Loki
    /// answering with lines Alloy shipped.
    func prepareLoki(_ lab: LabHarness) throws {
        _ = try installOnce("monitoring", in: lab) {
            let tree = GitOpsTree(
                domain: "home.example.com", clusterPath: "kubernetes/clusters/homelab", nodes: 2, ageRecipient: "")
            return try [LokiChart.chart, AlloyChart.chart].map { chart in
                let file = try XCTUnwrap(tree.files().first { $0.path.hasSuffix("/release-\(chart.name).yaml") })
                let values = try XCTUnwrap(try YAMLCodec.decode(file.text)["spec"]?["values"], file.path)
                return (
                    chart,
                    chart.name == "loki"
                        ? values.setting(["singleBinary", "persistence", "enabled"], to: .bool(false)) : values
                )
            }
        }
        let shipped = lab.run(
            #"wait (kube loki '{namespace="monitoring", container="loki"}' | count) --until $it > 0 --timeout 60s --every 500ms"#
        )
        XCTAssertEqual(shipped.status, 0, "Loki answers with lines Alloy shipped: \(shipped.err)")
    }

    /// Installs charts with their values into `namespace`, as the simulated helm-controller would
    /// (the namespace, then each chart's manifests), unless the namespace exists; whether it did.
    func installOnce(
        _ namespace: String, in lab: LabHarness, _ charts: () throws -> [(SimulatedChart, Document)]
    ) throws -> Bool {
        let kube = try XCTUnwrap(lab.lab.kube)
        guard kube.object(path: "/api/v1/namespaces/\(namespace)") == nil else { return false }
        let client = try XCTUnwrap(kube.inProcessClient(manager: "helm-controller"))
        try client.apply(
            object: try YAMLCodec.decode("apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}"))
        for (chart, values) in try charts() {
            let release = SimulatedChartRelease(
                name: chart.name, namespace: namespace, version: chart.version, values: values)
            for object in try chart.render(release) { try client.apply(object: object) }
        }
        return true
    }

    /// Before a secret example: sops's default age key, a `.sops.yaml` whose rule encrypts
    /// `secrets/*.yaml` to it (the Secret's data only), and `secrets/db.yaml`, a Secret in
    /// plaintext (`encrypted`: encrypted by that rule). The example's `secrets/` becomes the home's.
    func prepareSecrets(_ lab: LabHarness, encrypted: Bool, for code: String) throws -> String {
        XCTAssertEqual(lab.run("secret age-keygen").status, 0, "the age key of the secret examples")
        let keys = try String(contentsOfFile: lab.home.file(".config/sops/age/keys.txt"), encoding: .utf8)
        let recipient = try XCTUnwrap(keys.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
            .dropFirst("# public key: ".count)
        try lab.home.write(
            ".sops.yaml",
            "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n"
                + "    age: \(recipient)\n")
        let file = try lab.home.write(
            "secrets/db.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: apps}\nstringData: {password: s3cr3t}\n")
        try? FileManager.default.removeItem(atPath: lab.home.file("secrets/db.plain.yaml"))
        if encrypted {
            let made = lab.run(#"secret encrypt "\#(file)""#)
            XCTAssertEqual(made.status, 0, "the secret examples' encrypted file: \(made.err)")
        }
        return code.replacingOccurrences(of: "secrets/", with: lab.home.file("secrets") + "/")
    }

    /// `sim serve` runs until Ctrl-C: run it, wait for its env file, then cancel it.
    func runSimServe(_ code: String) throws {
        let dir = try TemporaryDirectory("hlsh-serve")
        let cancellation = Cancellation()
        let context = ExecutionContext(cancellation: cancellation, out: { _ in }, err: { _ in })
        let runner = ScriptRunner(
            interpreter: Interpreter(registry: Commands.registry(), context: context), color: false)
        let text = code.replacingOccurrences(of: "/tmp/lab", with: dir.path)
        XCTAssertNotEqual(text, code, "the example's directory is replaced by a temporary one")
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var status: Int32 = -1
        Thread.detachNewThread {
            status = runner.run(SourceFile(name: "example.hls", text: text), arguments: [], scriptPath: nil)
            finished.signal()
        }
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: dir.file("env")) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let env = try String(contentsOfFile: dir.file("env"), encoding: .utf8)
        XCTAssertTrue(env.contains("export PROXMOX_VE_ENDPOINT='https://127.0.0.1:"), env)
        cancellation.cancel()
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success, "sim serve stops when cancelled")
        XCTAssertEqual(status, 0, "Ctrl-C is how sim serve is meant to stop")
    }
}

import Foundation
import HLSCommands
import HLSCore
import HLSLanguage
import LabSim
import Synchronization
import TestSupport
import XCTest

/// The REPL's live Kubernetes names: kinds, namespaces, and the objects of the kind typed before.
final class KubeNameCompletionTests: XCTestCase {
    private func names(_ kind: String, _ command: String, _ words: [String], _ env: [String: String]) throws -> [String]
    {
        try Self.names(kind, command, words, env)
    }

    /// The names the provider of `kind` offers after `command WORDS`, sorted.
    static func names(_ kind: String, _ command: String, _ words: [String], _ env: [String: String]) throws -> [String]
    {
        let provider = try XCTUnwrap(Commands.registry().providers[kind])
        let context = ExecutionContext(environment: env, out: { _ in }, err: { _ in })
        defer { context.closeServices() }
        return try provider.fetch(NameQuery(command: command, context: context, words: words)).map(\.name).sorted()
    }

    func testKindsNamespacesAndObjectsOfTheTypedKindAndNamespace() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01")
        try kube.create(KubeCommandsTests.configMaps)
        try kube.create(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: apps}\n"
                + "spec: {containers: [{name: web, image: nginx}]}\n")
        let env = kube.environment

        let kinds = try names("kube-kind", "kube get", [], env)
        for kind in ["pods", "pod", "po", "configmaps", "configmap", "cm", "nodes"] {
            XCTAssertTrue(kinds.contains(kind), "\(kind) in \(kinds)")
        }
        XCTAssertTrue(try names("kube-namespace", "kube get", [], env).contains("apps"))
        XCTAssertEqual(try names("kube-object", "kube get", ["cm"], env), ["a"])
        XCTAssertEqual(try names("kube-object", "kube get", ["-n", "apps", "configmaps"], env), ["b", "c"])
        XCTAssertEqual(try names("kube-object", "kube get", ["configmap", "--namespace", "apps"], env), ["b", "c"])
        XCTAssertEqual(try names("kube-object", "kube get", ["cm", "-A"], env), ["a", "b", "c"])
        XCTAssertEqual(try names("kube-object", "kube delete", ["no"], env), ["k3s-wk-01"])
        XCTAssertEqual(try names("kube-object", "kube logs", ["-n", "apps"], env), ["web"], "kube logs names pods")
    }

    /// `kube get -n <TAB>` after `--context other`: the namespaces (and kinds) of that context's
    /// cluster, not of the current one.
    func testNamespacesAndKindsComeFromTheTypedContext() throws {
        let current = try KubeHarness()
        let other = try KubeHarness()
        try other.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: only-other}\n")
        try other.create(KubeManifests.widgetCRD)
        // The other cluster's kubeconfig as context `other`, after the current one's.
        let text = try String(contentsOfFile: other.environment["KUBECONFIG"]!, encoding: .utf8)
        let renamed = try current.dir.write(
            "other-kubeconfig", text.replacingOccurrences(of: ": default", with: ": other"))
        var env = current.environment
        env["KUBECONFIG"] = current.environment["KUBECONFIG"]! + ":" + renamed

        XCTAssertFalse(try names("kube-namespace", "kube get", [], env).contains("only-other"))
        XCTAssertTrue(
            try names("kube-namespace", "kube get", ["--context", "other"], env).contains("only-other"),
            "the namespaces of the typed context")
        XCTAssertTrue(
            try names("kube-namespace", "kube delete", ["cm", "--context", "other"], env).contains("only-other"))
        XCTAssertFalse(try names("kube-kind", "kube get", [], env).contains("widgets"))
        XCTAssertTrue(try names("kube-kind", "kube get", ["--context", "other"], env).contains("widgets"))
    }

    func testAnUnreachableAPIFailsQuietly() throws {
        let dir = try TemporaryDirectory("hlsh-kube-down")
        let port = try freeLoopbackPort()
        _ = try dir.write(
            "kubeconfig",
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: down, cluster: {server: "https://127.0.0.1:\(port)"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: down, context: {cluster: down, user: u}}]
            current-context: down
            """)
        let provider = try XCTUnwrap(Commands.registry().providers["kube-object"])
        let printed = Mutex("")
        let context = ExecutionContext(
            environment: ["KUBECONFIG": dir.file("kubeconfig"), "HOME": dir.path],
            out: { t in printed.withLock { $0 += t } },
            err: { t in printed.withLock { $0 += t } })
        let started = Date()
        XCTAssertThrowsError(try provider.fetch(NameQuery(command: "kube get", context: context, words: ["pods"])))
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(printed.withLock { $0 }, "", "completion never prints into the line")
        context.closeServices()
    }

    /// A kubeconfig warning (`insecure-skip-tls-verify`) is not printed by completion, which
    /// would write it into the line being edited, but by the first command of the session.
    func testCompletionLeavesKubeconfigWarningsToTheFirstCommand() throws {
        let sim = KubeAPISimulator(
            options: {
                var options = KubeAPISimulator.Options()
                options.tokens = ["secret-token": "admin"]
                return options
            }())
        let endpoint = try sim.start()
        defer { sim.stop() }
        let dir = try TemporaryDirectory("hlsh-kube-insecure")
        let kubeconfig = try dir.write(
            "kubeconfig",
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: lab, cluster: {server: "\(endpoint.url)", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: secret-token}}]
            contexts: [{name: lab, context: {cluster: lab, user: u}}]
            current-context: lab
            """)
        let err = Mutex("")
        let context = ExecutionContext(
            environment: ["KUBECONFIG": kubeconfig, "HOME": dir.path], out: { _ in },
            err: { t in err.withLock { $0 += t } })
        defer { context.closeServices() }
        let provider = try XCTUnwrap(Commands.registry().providers["kube-namespace"])
        XCTAssertTrue(
            try provider.fetch(NameQuery(command: "kube get", context: context)).contains { $0.name == "default" })
        XCTAssertEqual(err.withLock { $0 }, "", "completion printed into the line")
        let runner = ScriptRunner(
            interpreter: Interpreter(registry: Commands.registry(), context: context), color: false)
        XCTAssertEqual(
            runner.run(SourceFile(name: "t.hls", text: "kube get ns | count"), arguments: [], scriptPath: nil), 0)
        XCTAssertTrue(err.withLock { $0 }.contains("insecure-skip-tls-verify"), err.withLock { $0 })
    }
}

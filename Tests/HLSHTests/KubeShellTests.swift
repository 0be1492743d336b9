import Foundation
import TestSupport
import XCTest

/// The `kube` verbs as people use them: in the REPL of a colour terminal and with `NO_COLOR`,
/// against a simulated lab served by `hlsh sim serve`, and interrupted with Ctrl-C.
final class KubeShellTests: XCTestCase {
    var state: TemporaryDirectory!
    var lab: SimServe!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed (scripts/test installs it)")
        }
        state = try TemporaryDirectory("hlsh-kube-repl")
        let home = try state.userHome()
        lab = try SimServe(directory: state.file("lab"), home: home, environment: SimServe.testTimings)
        XCTAssertTrue(lab.serving, "sim serve did not come up")
        // The Kubernetes API answers once the control-plane VM runs its k3s server.
        try lab.startControlPlane(
            environment: try lab.shellEnvironment(home: home, state: state.file("cp-state")),
            inventory: SimulatedLabBinaryTests.repository + "/scripts/homelab.yaml")
        addTeardownBlock { [self] in
            lab.stop()
            lab = nil
            state = nil
        }
    }

    /// The prompt names the kubeconfig's context, k3s's `default`.
    let prompt = "hlsh (default)> "

    /// The REPL with the lab's loopback kubeconfig, as a user would point kubectl at it.
    func shell(color: Bool) throws -> TmuxTerminal {
        try hlshShell(in: state, color: color, environment: ["KUBECONFIG": lab.file("kubeconfig")], prompt: prompt)
    }

    /// The table's header line (`name  status  age`), with or without its escapes.
    static func isHeader(_ line: String) -> Bool {
        line.contains("name") && line.contains("status") && !line.contains(">")
    }

    func testKubeGetInAColourTerminalColoursTheHeaderAndPrintsNoEscapesAsText() throws {
        let t = try shell(color: true)
        try t.type("kube get namespaces")
        try t.press("Enter")
        let (screen, _) = try t.waitFor("the namespaces") { $0.contains("kube-system") && $0.hasSuffixLine(prompt) }
        XCTAssertTrue(screen.contains("name "), screen)
        XCTAssertFalse(screen.contains("[1;32m") || screen.contains("[0m"), screen)
        let header = t.screen(escapes: true).components(separatedBy: "\n").first(where: Self.isHeader) ?? ""
        XCTAssertTrue(header.contains("\u{1B}["), "the header is not coloured: \(header.debugDescription)")
    }

    func testKubeGetWithNoColorPrintsAPlainTable() throws {
        let t = try shell(color: false)
        try t.type("kube get namespaces")
        try t.press("Enter")
        try t.waitFor("the namespaces") { $0.contains("kube-system") && $0.hasSuffixLine(prompt) }
        let lines = t.screen(escapes: true).components(separatedBy: "\n")
        let header = lines.first(where: Self.isHeader) ?? ""
        XCTAssertFalse(header.isEmpty, lines.joined(separator: "\n"))
        XCTAssertFalse(header.contains("\u{1B}["), "NO_COLOR, yet: \(header.debugDescription)")
    }

    func testCtrlCDuringAKubeWaitReturnsToThePromptAndTheShellLivesOn() throws {
        let manifest = try state.write(
            "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: never-ready\n  namespace: default\n")
        let t = try shell(color: false)
        try t.type("kube apply -f \(manifest)")
        try t.press("Enter")
        try t.waitFor("the apply") { $0.contains("never-ready") && $0.hasSuffixLine(prompt) }
        try t.type("kube wait configmap never-ready --for condition=Ready --timeout 60s")
        try t.press("Enter")
        try t.waitFor("the wait's progress") { $0.contains("never-ready") && !$0.hasSuffixLine(prompt) }
        Thread.sleep(forTimeInterval: 0.5)
        try t.press("C-c")
        let (screen, elapsed) = try t.waitFor(timeout: 5, "the prompt after Ctrl-C") { s in
            s.contains("interrupted") && s.hasSuffixLine(prompt)
        }
        // Within a second on an idle machine; generous for a loaded one, yet far short of the
        // wait's 60 s timeout.
        XCTAssertLessThan(elapsed, 3.0, "Ctrl-C took \(elapsed)s to return:\n\(screen)")
        try t.type("echo after-the-wait")
        try t.press("Enter")
        try t.waitFor("the shell still works") { $0.components(separatedBy: "\n").contains("after-the-wait") }
    }

    /// A runbook of kube verbs, as `hlsh FILE` runs it: apply, wait, get and delete, a rerun that
    /// changes nothing, and a bad manifest that stops the script at its line with nothing applied.
    func testAKubeRunbookConvergesAndABadManifestStopsItAtItsLine() throws {
        try state.write(
            "app.yaml",
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: runbook}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: runbook}
            data: {mode: fast}

            """)
        try state.write(
            "site.hls",
            """
            kube apply -f app.yaml | select target result | to json --compact
            kube wait namespace runbook --for condition=Ready=False --timeout 100ms | count
            let modes = (kube get configmaps -n runbook -o json | get items | each { $it.data.mode })
            echo "modes: $modes"

            """)
        let env = ["KUBECONFIG": lab.file("kubeconfig"), "HOME": state.path, "XDG_STATE_HOME": state.file("state")]
        let first = try BuiltBinary.run(["site.hls"], environment: env, currentDirectory: state.path)
        XCTAssertEqual(first.status, 1, first.stderr)
        XCTAssertTrue(first.stdout.contains(#""target":"ConfigMap/runbook/settings","result":"created""#), first.stdout)
        // A Namespace has no Ready condition: the wait times out, at its line of the script.
        XCTAssertTrue(first.stderr.contains("site.hls:2:1"), first.stderr)
        try state.write(
            "site.hls",
            """
            kube apply -f app.yaml | where result != "unchanged" | count
            let modes = (kube get configmaps -n runbook | where name == "settings" | count)
            echo "settings: $modes"
            kube delete namespace runbook | count

            """)
        let second = try BuiltBinary.run(["site.hls"], environment: env, currentDirectory: state.path)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stdout, "0\nsettings: 1\n1\n")
        try state.write(
            "bad.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: half, namespace: default}\n---\ndata: [1, 2\nx: 3\n")
        try state.write("bad.hls", "kube apply -f bad.yaml\n")
        let bad = try BuiltBinary.run(["bad.hls"], environment: env, currentDirectory: state.path)
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("bad.yaml:6:2: error: invalid YAML"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("nothing was applied"), bad.stderr)
        let half = try BuiltBinary.run(
            ["-c", "kube get configmaps -n default | where name == half | count"], environment: env)
        XCTAssertEqual(half.stdout, "0\n", "nothing of a file with a bad document is applied")
    }

    /// Kubernetes names complete from the live API of the kubeconfig's cluster (`sim serve`'s):
    /// an object name of the kind typed before it, and a namespace after `-n`.
    func testKubeObjectNamesAndNamespacesCompleteFromTheAPI() throws {
        let t = try shell(color: false)
        /// Tab until the line reads `expected` (a first Tab may be cut off by the deadline while
        /// the cluster answers; its answer is cached for the next).
        func complete(_ expected: String) throws {
            for _ in 0..<10 {
                try t.press("Tab")
                if (try? t.waitFor(timeout: 1, expected) { $0.contains(expected) }) != nil { return }
            }
            try t.waitFor(timeout: 0, expected) { $0.contains(expected) }
        }
        try t.type("kube get namespaces kube-s")
        try complete("> kube get namespaces kube-system ")
        try t.type("-n kube-pu")
        try complete("> kube get namespaces kube-system -n kube-public ")
    }
}

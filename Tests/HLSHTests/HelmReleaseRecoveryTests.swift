import Foundation
import TestSupport
import XCTest

/// A HelmRelease that cannot turn Ready, as a user meets it on the bootstrapped lab of `hlsh sim
/// serve`, through the built binary: a second Loki whose volume claim names a StorageClass that
/// does not exist yet, so its pod stays Pending and Helm's wait does not end. With a short
/// `spec.timeout` the install fails ("context deadline exceeded") and, with no remediation
/// retries, the release is Stalled (RetriesExceeded) until `flux reconcile hr --reset`, as the
/// flux CLI's `--reset` asks (`reconcile.fluxcd.io/resetAt`). Ctrl-C during the wait, in a
/// script and in the REPL of a colour terminal, ends it at once in words that say what it
/// waited for, and the rerun (`--resume`) converges once the class exists.
final class HelmReleaseRecoveryTests: XCTestCase {
    /// The lab after `scripts/bootstrap.hls` (Longhorn's provisioner serves a new class).
    static let shared = ClassShared(
        make: { () throws -> BootstrapRunbookTests.Served in
            let served = try BootstrapRunbookTests.Served()
            let run = try served.hlsh(["scripts/bootstrap.hls"])
            guard run.status == 0 else {
                served.lab.stop()
                throw HTTPFixtureError("the runbook did not converge: \(run.stderr)")
            }
            return served
        }, drop: { $0.lab.stop() })

    override class func tearDown() {
        shared.release()
        super.tearDown()
    }

    /// A namespace `namespace` with the HelmRelease `logs`: Loki in SingleBinary mode from the
    /// lab's `grafana` HelmRepository, its claim of StorageClass `class`; written to a file.
    func release(
        in namespace: String, storageClass: String, timeout: String? = nil, _ served: BootstrapRunbookTests.Served
    ) throws -> String {
        try served.dir.write(
            "\(namespace).yaml",
            """
            apiVersion: v1
            kind: Namespace
            metadata: {name: \(namespace)}
            ---
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata: {name: logs, namespace: \(namespace)}
            spec:
              interval: 30m\(timeout.map { "\n  timeout: \($0)" } ?? "")
              chart:
                spec:
                  chart: loki
                  version: 6.46.0
                  sourceRef: {kind: HelmRepository, name: grafana, namespace: monitoring}
              values:
                deploymentMode: SingleBinary
                loki: {auth_enabled: false, useTestSchema: true, commonConfig: {replication_factor: 1}, storage: {type: filesystem}}
                singleBinary: {replicas: 1, persistence: {storageClass: \(storageClass)}}
                backend: {replicas: 0}
                read: {replicas: 0}
                write: {replicas: 0}
                gateway: {enabled: false}
                chunksCache: {enabled: false}
                resultsCache: {enabled: false}
                lokiCanary: {enabled: false}
                test: {enabled: false}

            """)
    }

    /// The StorageClass `name` of Longhorn's provisioner, written to a file.
    func storageClass(_ name: String, _ served: BootstrapRunbookTests.Served) throws -> String {
        try served.dir.write(
            "\(name).yaml",
            """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: \(name)}
            provisioner: driver.longhorn.io
            parameters: {numberOfReplicas: "2"}

            """)
    }

    /// The HelmRelease `logs` of `namespace` as kubectl reads it.
    func helmRelease(in namespace: String, _ served: BootstrapRunbookTests.Served) throws -> [String: Any] {
        let read = try served.kubectl(["get", "helmrelease", "logs", "-n", namespace, "-o", "json"])
        XCTAssertEqual(read.status, 0, read.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
    }

    func condition(_ type: String, of release: [String: Any]) -> [String: Any]? {
        let conditions = (release["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
        return conditions.first { $0["type"] as? String == type }
    }

    func testAStalledReleaseIsTriedAgainByReconcileResetOnceItsCauseIsFixed() throws {
        let served = try Self.shared.get()
        let manifest = try release(in: "trial-reset", storageClass: "archive-reset", timeout: "10s", served)
        let applied = try served.hlsh(["-c", "kube apply -f \(manifest) | count"])
        XCTAssertEqual(applied.stdout, "2\n", applied.stderr)

        // Helm's wait ends at spec.timeout; with no retries the release is Stalled.
        let stalled = try served.hlsh(["-c", "flux wait logs --kind hr -n trial-reset --timeout 2m"])
        XCTAssertEqual(stalled.status, 1, stalled.stderr)
        XCTAssertTrue(
            stalled.stderr.contains(
                "HelmRelease/trial-reset/logs failed (RetriesExceeded): Failed to install after 1 attempt(s)"),
            stalled.stderr)
        XCTAssertTrue(stalled.stderr.contains("flux reconcile hr logs -n trial-reset --reset"), stalled.stderr)
        let failed = try helmRelease(in: "trial-reset", served)
        XCTAssertEqual(
            condition("Ready", of: failed)?["message"] as? String,
            "Helm install failed for release trial-reset/logs.v1 with chart loki@6.46.0: context deadline exceeded")

        // A plain reconcile is handled, and the controller stays put (as the flux CLI reports it).
        let plain = try served.hlsh(["-c", "flux reconcile hr logs -n trial-reset"])
        XCTAssertEqual(plain.status, 1, plain.stderr)
        XCTAssertTrue(
            plain.stderr.contains(
                "flux reconcile: reconcile HelmRelease/trial-reset/logs failed: "
                    + "HelmRelease reconciliation failed: 'Failed to install after 1 attempt(s)'"), plain.stderr)
        XCTAssertTrue(
            plain.stderr.contains(
                "hint: its retries are used up; once the cause is fixed: flux reconcile hr logs -n trial-reset --reset"
            ), plain.stderr)

        // The cause fixed outside the release: its pod runs, yet Helm is not looking any more.
        let made = try served.hlsh(["-c", "kube apply -f \(try storageClass("archive-reset", served)) | count"])
        XCTAssertEqual(made.stdout, "1\n", made.stderr)
        let running = try served.hlsh([
            "-c", "kube wait pod logs-loki-0 -n trial-reset --for condition=Ready --timeout 60s | count",
        ])
        XCTAssertEqual(running.status, 0, running.stderr)
        XCTAssertEqual(
            condition("Stalled", of: try helmRelease(in: "trial-reset", served))?["status"] as? String, "True")

        let reset = try served.hlsh(["-c", "flux reconcile hr logs -n trial-reset --reset | to json --compact"])
        XCTAssertEqual(reset.status, 0, reset.stderr)
        XCTAssertTrue(
            reset.stdout.contains(#""target":"HelmRelease/trial-reset/logs","action":"reconcile","revision":"6.46.0""#),
            reset.stdout)
        let ready = try served.hlsh(["-c", "flux wait logs --kind hr -n trial-reset --timeout 30s | get revision"])
        XCTAssertEqual(ready.stdout, "6.46.0\n", ready.stderr)

        // Helm upgraded the failed release (v2), as helm-controller does after a reset.
        let upgraded = try helmRelease(in: "trial-reset", served)
        XCTAssertNil(condition("Stalled", of: upgraded), "\(upgraded)")
        XCTAssertEqual(
            condition("Ready", of: upgraded)?["message"] as? String,
            "Helm upgrade succeeded for release trial-reset/logs.v2 with chart loki@6.46.0")
        let status = try XCTUnwrap(upgraded["status"] as? [String: Any])
        let history = (status["history"] as? [[String: Any]] ?? []).map {
            "v\($0["version"] ?? "") \($0["status"] ?? "")"
        }
        XCTAssertEqual(history, ["v2 deployed", "v1 failed"])
        let annotations = (upgraded["metadata"] as? [String: Any])?["annotations"] as? [String: String] ?? [:]
        XCTAssertEqual(status["lastHandledResetAt"] as? String, annotations["reconcile.fluxcd.io/resetAt"])
        XCTAssertEqual(annotations["reconcile.fluxcd.io/resetAt"], annotations["reconcile.fluxcd.io/requestedAt"])
    }

    /// Ctrl-C while a runbook's phase waits for the release: exit 130 naming the phase, the
    /// step and what it waited for; once the cause is fixed `--resume` converges, and a rerun
    /// changes nothing.
    func testCtrlCDuringAHelmReleaseWaitInAScriptAndTheResumedRunConverges() throws {
        let served = try Self.shared.get()
        let manifest = try release(in: "trial-script", storageClass: "archive-script", served)
        let runbook = try served.dir.write(
            "logs.hls",
            """
            lab use "\(InterruptResumeTests.scripts)/homelab.yaml"
            phase "8 logs" {
              kube apply -f \(manifest)
              flux wait logs --kind hr -n trial-script --timeout 5m
            }

            """)
        let interrupted = try interrupt(runbook, environment: served.env, log: served.dir.file("logs.log")) { _ in
            let read = try served.kubectl(["get", "helmrelease", "logs", "-n", "trial-script", "-o", "json"])
            return read.stdout.contains("Running 'install' action with timeout of 5m0s")
        }
        XCTAssertTrue(interrupted.contains("✗ phase 8 logs failed after"), interrupted)
        XCTAssertTrue(
            interrupted.contains("logs.hls:4:3: error: interrupted: waiting for HelmRelease/trial-script/logs (Ready)"),
            interrupted)
        XCTAssertFalse(interrupted.contains("watch=true"), "not the transport's words: \(interrupted)")

        let made = try served.hlsh(["-c", "kube apply -f \(try storageClass("archive-script", served)) | count"])
        XCTAssertEqual(made.stdout, "1\n", made.stderr)
        let resumed = try served.hlsh(["--resume", runbook])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("✓ phase 8 logs ("), resumed.stderr)
        let again = try served.hlsh([runbook])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("✓ phase 8 logs (") && again.stderr.contains(", no change)"), again.stderr)
        let rows = again.stdout.split(separator: "\n").filter { $0.contains("trial-script") && $0.contains(" apply ") }
        XCTAssertEqual(rows.count, 2, again.stdout)
        XCTAssertTrue(rows.allSatisfy { $0.contains(" unchanged ") }, again.stdout)
        let history = try helmRelease(in: "trial-script", served)["status"] as? [String: Any]
        XCTAssertEqual((history?["history"] as? [[String: Any]])?.count, 1, "one install: \(history ?? [:])")
    }

    /// The same in the REPL of a colour terminal: back at the prompt promptly, saying what was
    /// interrupted, and the shell waits again (to the end) once the cause is fixed.
    func testCtrlCDuringAHelmReleaseWaitInTheREPLReturnsToAUsablePrompt() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed (scripts/test installs it)")
        }
        let served = try Self.shared.get()
        let manifest = try release(in: "trial-repl", storageClass: "archive-repl", served)
        let state = try TemporaryDirectory("hlsh-hr-repl")
        let prompt = "hlsh (homelab)> "
        let t = try hlshShell(in: state, color: true, environment: served.env, prompt: prompt)
        try t.type("kube apply -f \(manifest) | count")
        try t.press("Enter")
        try t.waitFor("the apply") { $0.components(separatedBy: "\n").contains("2") && $0.hasSuffixLine(prompt) }
        try t.type("flux wait logs --kind hr -n trial-repl --timeout 5m")
        try t.press("Enter")
        try t.waitFor("the wait's progress") { $0.contains("Running 'install' action") }
        try t.press("C-c")
        let (screen, elapsed) = try t.waitFor(timeout: 10, "the prompt after Ctrl-C") { s in
            s.contains("interrupted") && s.hasSuffixLine(prompt)
        }
        XCTAssertTrue(
            screen.contains("\n^C interrupted: waiting for HelmRelease/trial-repl/logs (Ready)\n"), screen)
        // Within a second on an idle machine; generous for a loaded one, far short of the 5m.
        XCTAssertLessThan(elapsed, 3.0, "Ctrl-C took \(elapsed)s to return:\n\(screen)")

        try t.type("kube apply -f \(try storageClass("archive-repl", served)) | count")
        try t.press("Enter")
        try t.type("flux wait logs --kind hr -n trial-repl --timeout 2m | get revision")
        try t.press("Enter")
        try t.waitFor(timeout: 150, "the wait to the end") {
            $0.components(separatedBy: "\n").contains("6.46.0") && $0.hasSuffixLine(prompt)
        }
    }
}

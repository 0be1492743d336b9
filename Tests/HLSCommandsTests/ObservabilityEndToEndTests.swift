import Foundation
import HLSCore
import TestSupport
import XCTest

/// Issue 15 phase 5 on the whole simulated lab: the tree `flux scaffold` writes, pushed with
/// the real git and reconciled, installs all six HelmReleases of `infrastructure-controllers`
/// (Traefik, cert-manager, Longhorn, kube-prometheus-stack, Loki, Alloy) Ready, the monitoring
/// pods run (the operator's Prometheus and Alertmanager StatefulSets among them), and the example
/// app's Deployment, Service and Longhorn volume come up. The scaffold's end-to-end test
/// (ScaffoldConfigsEndToEndTests) checks these on the lab it bootstraps, between pushing the tree
/// and checking its Let's Encrypt issuers and certificates (one lab and one convergence for
/// both, as they look at the same state). The whole tree converges in BootstrapRunbookTests.
extension FluxEndToEndTests {
    /// After the scaffold's tree is pushed and reconciled: its controllers' HelmReleases Ready and
    /// the monitoring pods running.
    func assertTheScaffoldsControllersAndObservabilityTurnReady(_ h: LabHarness) throws {
        let controllers = h.run("flux wait infrastructure-controllers --timeout 120s")
        XCTAssertEqual(
            controllers.status, 0,
            "infrastructure-controllers Ready: \(controllers.err)\n\(h.run("flux get hr -A").out)")
        let releases = try json(h, "flux get hr -A -o json")
        XCTAssertEqual(
            releases.map { "\($0["namespace"] ?? "")/\($0["name"] ?? "")" }.sorted(),
            [
                "cert-manager/cert-manager", "longhorn-system/longhorn", "monitoring/alloy",
                "monitoring/kube-prometheus-stack", "monitoring/loki", "traefik/traefik",
            ])
        XCTAssertEqual(releases.filter { $0["ready"] != "True" }.map { $0["name"] ?? "" }, [], "\(releases)")

        // The monitoring pods run, those the operator makes included.
        let expected = [
            "kube-prometheus-stack-operator-", "kube-prometheus-stack-grafana-",
            "kube-prometheus-stack-kube-state-metrics-", "kube-prometheus-stack-prometheus-node-exporter-",
            "prometheus-kube-prometheus-stack-prometheus-0", "alertmanager-kube-prometheus-stack-alertmanager-0",
            "loki-0", "loki-gateway-", "loki-canary-", "loki-results-cache-0", "alloy-",
        ]
        var pods: [[String: Any]] = []
        var names: [String] = []
        func running(_ pod: [String: Any]) -> Bool {
            (pod["status"] as? [String: Any])?["phase"] as? String == "Running"
        }
        let deadline = Date().addingTimeInterval(60)
        repeat {
            let list = try kubectl(h, ["get", "pods", "-n", "monitoring", "-o", "json"])
            pods =
                (try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [String: Any])?["items"]
                as? [[String: Any]] ?? []
            names = pods.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
            if expected.allSatisfy({ prefix in names.contains { $0.hasPrefix(prefix) } }), pods.allSatisfy(running) {
                break
            }
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        XCTAssertEqual(pods.filter { !running($0) }.count, 0, "every monitoring pod Running: \(names)")
        for prefix in expected {
            XCTAssertTrue(names.contains { $0.hasPrefix(prefix) }, "a pod \(prefix)… in \(names)")
        }
        XCTAssertFalse(names.contains { $0.hasPrefix("loki-chunks-cache") }, "the chunks cache is disabled")
        XCTAssertEqual(
            try kubectl(h, ["get", "pvc", "storage-loki-0", "-n", "monitoring", "-o", "jsonpath={.status.phase}"]),
            "Bound", "Loki's volume, from Longhorn")
        // The operator reports on what it runs, as `kubectl wait` reads it.
        for object in [
            "prometheus/kube-prometheus-stack-prometheus", "alertmanager/kube-prometheus-stack-alertmanager",
        ] {
            _ = try kubectl(h, ["wait", "--for=condition=Available", object, "-n", "monitoring", "--timeout=30s"])
        }
        XCTAssertEqual(
            try kubectl(
                h,
                [
                    "get", "ingress", "kube-prometheus-stack-grafana", "-n", "monitoring", "-o",
                    "jsonpath={.spec.rules[0].host}",
                ]),
            "grafana.home.example.com")
    }

    /// The example app, as the apps Kustomization applies it (kubectl applying it too raced
    /// kustomize-controller for its fields): its volume bound, its pod running.
    func assertTheScaffoldsExampleAppRuns(_ h: LabHarness) throws {
        let apps = h.run("flux wait apps --timeout 180s")
        XCTAssertEqual(apps.status, 0, "the apps Kustomization Ready: \(apps.err)\n\(h.run("flux get all -A").out)")
        _ = try kubectl(h, ["rollout", "status", "deployment/whoami", "-n", "whoami", "--timeout=60s"])
        XCTAssertEqual(
            try kubectl(h, ["get", "pvc", "whoami-data", "-n", "whoami", "-o", "jsonpath={.status.phase}"]), "Bound")
        XCTAssertEqual(
            try kubectl(
                h,
                [
                    "get", "pods", "-n", "whoami", "-l", "app.kubernetes.io/name=whoami", "-o",
                    "jsonpath={.items[*].status.phase}",
                ]),
            "Running")
    }
}

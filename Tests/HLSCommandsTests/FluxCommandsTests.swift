import Foundation
import HLSCore
import HLSLanguage
import Kube
import LabSim
import XCTest

@testable import HLSCommands

/// `flux get|reconcile|suspend|resume|wait|tree|check` through the interpreter against the
/// simulated API with the pinned Flux release's CRDs, the test playing the controller.
final class FluxCommandsTests: XCTestCase {
    private func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    func testGetShowsRevisionSuspendedReadyAndMessageAsFluxPrintsThem() throws {
        let flux = try FluxHarness()
        try flux.kustomization("infra")
        try flux.kustomization("apps", suspend: true)
        flux.verdicts.withLock {
            $0["infra"] = (false, "kustomization path not found: stat /tmp/0123456789abcdef0123456789abcdef01234567/x")
        }
        flux.startController()
        defer { flux.stop() }
        XCTAssertTrue(flux.waitHandled("infra"))

        let rows = flux.kube.run("flux get ks | to json --compact")
        XCTAssertEqual(rows.status, 0, rows.err)
        XCTAssertEqual(
            trimmed(rows.out),
            #"[{"name":"apps","revision":"","suspended":true,"ready":"False","message":"waiting to be reconciled"},"#
                + #"{"name":"infra","revision":"main@sha1:01234567","suspended":false,"ready":"False","#
                + #""message":"kustomization path not found: stat /tmp/01234567/x"}]"#)
        let everywhere = flux.kube.run("flux get all -A | get namespace | to json --compact")
        XCTAssertEqual(trimmed(everywhere.out), #"["flux-system","flux-system"]"#, everywhere.err)
        let none = flux.kube.run("flux get sources | count")
        XCTAssertEqual(trimmed(none.out), "0", none.err)
        let unknown = flux.kube.run("flux get kustomisation")
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.err.contains("unknown Flux kind 'kustomisation'"), unknown.err)
    }

    func testReconcileAnnotatesAsHlshWaitsForTheControllerAndReportsItsVerdict() throws {
        let flux = try FluxHarness()
        try flux.kube.create(
            """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: flux-system, namespace: flux-system}
            spec: {interval: 1m0s, ref: {branch: main}, url: ssh://git@github.com/homelab/gitops}
            """)
        try flux.kustomization("infra")
        try flux.kustomization("paused", suspend: true)
        flux.verdicts.withLock {
            $0["flux-system"] = (true, "stored artifact")
            $0["infra"] = (true, "Applied revision")
        }
        flux.startController()
        defer { flux.stop() }

        let done = flux.kube.run(
            "flux reconcile ks infra --with-source | select target revision status | to json --compact")
        XCTAssertEqual(done.status, 0, done.err)
        XCTAssertEqual(
            trimmed(done.out),
            #"[{"target":"GitRepository/flux-system/flux-system","revision":"main@sha1:01234567","status":"applied"},"#
                + #"{"target":"Kustomization/flux-system/infra","revision":"main@sha1:01234567","status":"applied"}]"#)
        let object = try flux.kube.client.get(FluxHarness.kustomizations, "infra", namespace: "flux-system")
        XCTAssertNotNil(object.string("metadata", "annotations", "reconcile.fluxcd.io/requestedAt"))
        // The annotation's owner (the harness writes as `hlsh` too, so the field decides).
        let owners = (object.at("metadata", "managedFields")?.elements ?? [])
            .filter { "\($0["fieldsV1"] ?? .null)".contains("f:reconcile.fluxcd.io/requestedAt") }
            .compactMap { $0.string("manager") }
        XCTAssertEqual(owners, ["hlsh"], "\(object.at("metadata", "managedFields") ?? .null)")
        XCTAssertEqual(flux.handled.withLock { $0 }.suffix(2), ["flux-system", "infra"])

        flux.verdicts.withLock { $0["infra"] = (false, "kustomize build failed: missing resource") }
        let failed = flux.kube.run("flux reconcile ks infra --timeout 10s")
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(
            failed.err.contains("Kustomization reconciliation failed: 'kustomize build failed: missing resource'"),
            failed.err)

        let suspended = flux.kube.run("flux reconcile ks paused")
        XCTAssertNotEqual(suspended.status, 0)
        XCTAssertTrue(suspended.err.contains("resource is suspended"), suspended.err)

        var dryRun = RunOptions()
        dryRun.dryRun = true
        let annotated = try flux.kube.client.get(FluxHarness.kustomizations, "infra", namespace: "flux-system")
        let planned = flux.kube.run("flux reconcile ks infra", options: dryRun)
        XCTAssertEqual(planned.status, 0, planned.err)
        XCTAssertTrue(planned.out.contains("planned"), planned.out)
        let unchanged = try flux.kube.client.get(FluxHarness.kustomizations, "infra", namespace: "flux-system")
        XCTAssertEqual(unchanged.string("metadata", "resourceVersion"), annotated.string("metadata", "resourceVersion"))
    }

    func testReconcileAllAndResumeAllGoInDependsOnOrderWaitingForEach() throws {
        let flux = try FluxHarness()
        // Alphabetical order would be apps, configs, infra; the dependencies say infra, configs, apps.
        try flux.kustomization("apps", dependsOn: ["configs"])
        try flux.kustomization("configs", dependsOn: ["infra"])
        try flux.kustomization("infra")
        flux.verdicts.withLock {
            for name in ["apps", "configs", "infra"] { $0[name] = (true, "Applied revision") }
        }
        flux.startController()
        defer { flux.stop() }
        XCTAssertEqual(flux.kube.run("flux wait all --timeout 10s").status, 0)
        /// Runs a verb on --all and checks the objects went, and were handled, dependencies first.
        func assertInDependencyOrder(_ verb: String) {
            flux.handled.withLock { $0 = [] }
            let run = flux.kube.run("flux \(verb) ks --all --timeout 10s | get target | to json --compact")
            XCTAssertEqual(run.status, 0, run.err)
            XCTAssertEqual(
                trimmed(run.out),
                #"["Kustomization/flux-system/infra","Kustomization/flux-system/configs","Kustomization/flux-system/apps"]"#
            )
            XCTAssertEqual(flux.handled.withLock { $0 }, ["infra", "configs", "apps"])
        }
        assertInDependencyOrder("reconcile")

        let suspended = flux.kube.run("flux suspend ks --all | count")
        XCTAssertEqual(trimmed(suspended.out), "3", suspended.err)
        let again = flux.kube.run("flux suspend ks apps | count")
        XCTAssertEqual(trimmed(again.out), "0", "already suspended: no change \(again.err)")
        let suspendedObject = try flux.kube.client.get(FluxHarness.kustomizations, "apps", namespace: "flux-system")
        XCTAssertEqual(suspendedObject["spec"]?["suspend"], .bool(true))

        assertInDependencyOrder("resume")
        let object = try flux.kube.client.get(FluxHarness.kustomizations, "apps", namespace: "flux-system")
        XCTAssertNil(object["spec"]?["suspend"], "resume removes spec.suspend")
    }

    func testWaitNamesTheDependencyItIsStuckBehindAndEndsWhenReady() throws {
        let flux = try FluxHarness()
        try flux.kustomization("infrastructure-configs")
        try flux.kustomization("apps", dependsOn: ["infrastructure-configs"])
        flux.verdicts.withLock {
            $0["infrastructure-configs"] = (false, "ClusterIssuer/letsencrypt dry-run failed")
            $0["apps"] = (false, "dependency 'flux-system/infrastructure-configs' is not ready")
        }
        flux.reasons.withLock { $0["apps"] = "DependencyNotReady" }
        flux.startController()
        defer { flux.stop() }

        let stuck = flux.kube.run("flux wait apps --timeout 1s")
        XCTAssertNotEqual(stuck.status, 0)
        XCTAssertTrue(stuck.err.contains("Kustomization/flux-system/apps is not Ready after 1s"), stuck.err)
        XCTAssertTrue(
            stuck.err.contains(
                "apps waits for infrastructure-configs, which is not Ready: ClusterIssuer/letsencrypt dry-run failed"),
            stuck.err)

        let background = BackgroundRun("flux wait apps --timeout 20s | get target", on: flux.kube)
        usleep(300_000)
        flux.verdicts.withLock {
            $0["infrastructure-configs"] = (true, "Applied revision")
            $0["apps"] = (true, "Applied revision")
        }
        // A spec change makes the stand-in controller write the new verdicts.
        for name in ["infrastructure-configs", "apps"] {
            try flux.kube.client.mergePatch(
                FluxHarness.kustomizations, name, namespace: "flux-system",
                patch: .object([("spec", .object([("interval", .string("5m0s"))]))]))
        }
        let result = try XCTUnwrap(background.result(timeout: 20))
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(trimmed(result.out), "Kustomization/flux-system/apps")
    }

    /// kustomize-controller reports a SOPS decryption failure as BuildFailed; its hint names the
    /// decryption Secret and a plain reconcile (the controller does not watch that Secret, and the
    /// source is not what changed), while another build failure keeps the usual hint.
    func testTheHintOfADecryptionFailureNamesTheAgeKeySecret() throws {
        func hint(_ message: String, decryption: Bool = true) -> String {
            let spec: Document =
                decryption
                ? .object([
                    (
                        "decryption",
                        .object([
                            ("provider", .string("sops")), ("secretRef", .object([("name", .string("sops-age"))])),
                        ])
                    )
                ]) : .object([])
            let condition = Document.object([
                ("type", .string("Ready")), ("status", .string("False")), ("reason", .string("BuildFailed")),
                ("message", .string(message)),
            ])
            let object = Document.object([
                ("metadata", .object([("name", .string("flux-system")), ("namespace", .string("flux-system"))])),
                ("spec", spec), ("status", .object([("conditions", .array([condition]))])),
            ])
            let ks = FluxObject(kind: .kustomization, object: object)
            return FluxCommands.failureHint(ks, KubeCondition("Ready", of: object)!)
        }
        XCTAssertEqual(
            hint(#"secrets "sops-age" not found"#),
            "the Secret flux-system/sops-age that holds the age key is missing: flux bootstrap puts "
                + "gitops.age_key_file there; then: flux reconcile ks flux-system -n flux-system")
        let wrongKey = hint(
            "decryption failed for 'Secret.v1.[noGrp]/db': failed to decrypt and format 'apps/db' Secret data: "
                + "cannot get sops data key: Failed to get the data key required to decrypt the SOPS file.")
        XCTAssertEqual(
            wrongKey,
            "the age key in Secret flux-system/sops-age does not open it (lab doctor compares the keys): flux "
                + "bootstrap puts gitops.age_key_file there; then: flux reconcile ks flux-system -n flux-system")
        XCTAssertEqual(
            hint("failed to import 'age.agekey' data from sops decryption Secret 'flux-system/sops-age': x"), wrongKey)
        let build =
            "look at it: flux get ks flux-system -n flux-system; once the cause is fixed: "
            + "flux reconcile ks flux-system -n flux-system --with-source"
        XCTAssertEqual(hint("kustomize build failed: accumulating resources: missing.yaml"), build)
        XCTAssertEqual(hint(#"secrets "sops-age" not found"#, decryption: false), build)
    }

    /// A failed object stops the wait at once, naming it, the reason and the message, once the
    /// controller has handled the last reconcile request; a stalled one too. An unhandled
    /// request keeps it waiting (the controller may still succeed).
    /// Flux creates objects from the repository, so a wait for one that is not there keeps
    /// waiting; but from its first look it says what is there instead: the closest name, the
    /// namespace or kind the name has (a missing -n or --kind), else what the namespace has.
    func testAWaitForAMissingObjectSaysWhatIsThereInstead() throws {
        let flux = try FluxHarness()
        try flux.kustomization("infrastructure-configs")
        try flux.kustomization("apps")
        try flux.helmRelease("loki")
        for (line, cause) in [
            ("flux wait infrastructure-config", "not found (yet); did you mean 'infrastructure-configs'?"),
            ("flux wait zzz", "not found (yet); flux-system has apps, infrastructure-configs"),
            ("flux wait apps -n default", "not found in default; there is flux-system/apps: add -n flux-system"),
            ("flux wait loki", "not found; there is a HelmRelease of that name: add --kind hr"),
        ] {
            let run = flux.kube.run(line + " --timeout 1s")
            XCTAssertNotEqual(run.status, 0, line)
            XCTAssertTrue(run.err.contains("\n  cause: \(cause)\n"), run.err)
        }
    }

    func testWaitFailsAtOnceOnAFailedOrStalledObject() throws {
        let flux = try FluxHarness()
        try flux.kustomization("infra")
        let message = "kustomize build failed: accumulating resources: missing.yaml"
        flux.verdicts.withLock { $0["infra"] = (false, message) }
        flux.startController()
        XCTAssertTrue(flux.waitHandled("infra"))
        let started = Date()
        let failed = flux.kube.run("flux wait infra --timeout 30s")
        XCTAssertEqual(failed.status, 1)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "failed fast: \(failed.err)")
        XCTAssertTrue(
            failed.err.contains("flux wait: Kustomization/flux-system/infra failed (BuildFailed): \(message)"),
            failed.err)
        XCTAssertTrue(
            failed.err.contains("flux reconcile ks infra -n flux-system --with-source"), "the hint: \(failed.err)")

        flux.stop()
        usleep(50_000)
        let annotate = Document.object([
            (
                "metadata",
                .object([("annotations", .object([("reconcile.fluxcd.io/requestedAt", .string("after-the-fix"))]))])
            )
        ])
        try flux.kube.client.mergePatch(FluxHarness.kustomizations, "infra", namespace: "flux-system", patch: annotate)
        let unhandled = flux.kube.run("flux wait infra --timeout 1s")
        XCTAssertEqual(unhandled.status, 1)
        XCTAssertTrue(unhandled.err.contains("Kustomization/flux-system/infra is not Ready after 1s"), unhandled.err)

        // A handled request whose apply failed in a way the controller retries (a webhook not
        // answering yet) often heals: it keeps waiting, showing the message.
        try flux.writeStatus(
            "infra", condition: "Ready", "False", reason: "ReconciliationFailed",
            message: "Certificate/cert-manager/wildcard dry-run failed", handled: "after-the-fix")
        let waiting = flux.kube.run("flux wait infra --timeout 1s")
        XCTAssertEqual(waiting.status, 1)
        XCTAssertTrue(waiting.err.contains("Kustomization/flux-system/infra is not Ready after 1s"), waiting.err)
        XCTAssertTrue(
            waiting.err.contains("Ready=False: Certificate/cert-manager/wildcard dry-run failed"), waiting.err)

        try flux.writeStatus(
            "infra", condition: "Stalled", "True", reason: "InvalidCELExpression",
            message: "failed to parse the health check expression")
        let gaveUp = flux.kube.run("flux wait infra --timeout 30s")
        XCTAssertEqual(gaveUp.status, 1)
        XCTAssertTrue(
            gaveUp.err.contains(
                "Kustomization/flux-system/infra failed (InvalidCELExpression): failed to parse the health check expression"
            ), gaveUp.err)
    }

    func testAHelmReleaseOutOfRetriesFailsTheWaitWithTheResetHintAndResetAnnotatesAsTheFluxCLI() throws {
        let flux = try FluxHarness()
        let releases = KubeResource(
            group: "helm.toolkit.fluxcd.io", version: "v2", name: "helmreleases", kind: "HelmRelease", namespaced: true)
        try flux.helmRelease("loki")
        let conditions = Document.array([
            .object([
                ("type", .string("Ready")), ("status", .string("False")), ("reason", .string("InstallFailed")),
                (
                    "message",
                    .string(
                        "Helm install failed for release flux-system/loki.v1 with chart loki@6.46.0: context deadline exceeded"
                    )
                ), ("lastTransitionTime", .string("2026-12-05T10:00:00Z")),
            ]),
            .object([
                ("type", .string("Stalled")), ("status", .string("True")), ("reason", .string("RetriesExceeded")),
                ("message", .string("Failed to install after 1 attempt(s)")),
                ("lastTransitionTime", .string("2026-12-05T10:00:00Z")),
            ]),
        ])
        try flux.kube.client.mergePatch(
            releases, "loki", namespace: "flux-system",
            patch: .object([("status", .object([("observedGeneration", .int(1)), ("conditions", conditions)]))]),
            subresource: "status")
        let stalled = flux.kube.run("flux wait loki --kind hr --timeout 30s")
        XCTAssertEqual(stalled.status, 1)
        XCTAssertTrue(
            stalled.err.contains(
                "HelmRelease/flux-system/loki failed (RetriesExceeded): Failed to install after 1 attempt(s)"),
            stalled.err)
        XCTAssertTrue(stalled.err.contains("flux reconcile hr loki -n flux-system --reset"), "the hint: \(stalled.err)")

        // Nobody plays the controller here: the request times out, but it was made as the flux CLI makes it.
        _ = flux.kube.run("flux reconcile hr loki --reset --timeout 1s")
        let annotations = try flux.kube.client.get(releases, "loki", namespace: "flux-system")
            .at(["metadata", "annotations"])
        let requested = annotations?.string("reconcile.fluxcd.io/requestedAt")
        XCTAssertNotNil(requested)
        XCTAssertEqual(annotations?.string("reconcile.fluxcd.io/resetAt"), requested, "the same token")
        XCTAssertNil(annotations?.string("reconcile.fluxcd.io/forceAt"))

        try flux.kustomization("infra")
        let refused = flux.kube.run("flux reconcile ks infra --force")
        XCTAssertEqual(refused.status, 2, refused.err)
        XCTAssertTrue(refused.err.contains("--force is for HelmReleases"), refused.err)
    }

    func testTreeNestsTheInventoryAndDepsShowsTheDependsOnGraph() throws {
        let flux = try FluxHarness()
        try flux.kustomization("flux-system")
        try flux.kustomization("infra")
        try flux.kustomization("apps", dependsOn: ["infra"])
        try flux.setInventory(
            "flux-system",
            ["flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization", "_apps__Namespace"])
        try flux.setInventory("apps", ["apps_web_apps_Deployment", "apps_web__Service"])
        let tree = flux.kube.run("flux tree flux-system | get tree | to json --compact")
        XCTAssertEqual(tree.status, 0, tree.err)
        XCTAssertEqual(
            trimmed(tree.out),
            #"["Kustomization/flux-system/flux-system","└─ Kustomization/flux-system/apps","#
                + #""  └─ Deployment/apps/web","  └─ Service/apps/web","└─ Namespace/apps"]"#)
        let deps = flux.kube.run("flux tree apps --deps | select name level ready | to json --compact")
        XCTAssertEqual(
            trimmed(deps.out),
            #"[{"name":"apps","level":0,"ready":"False"},{"name":"infra","level":1,"ready":"False"}]"#, deps.err)
    }

    func testCheckComparesTheServerVersionAndAssessesControllersAndCRDs() throws {
        let old = try {
            var options = KubeAPISimulator.Options()
            options.version = "v1.31.4+k3s1"
            return try FluxHarness(options: options)
        }()
        let tooOld = old.kube.run("flux check --pre")
        XCTAssertNotEqual(tooOld.status, 0)
        XCTAssertTrue(tooOld.err.contains("kubernetes: v1.31.4+k3s1 (Flux v2.9.4 needs >=1.33.0)"), tooOld.err)

        let flux = try FluxHarness(everything: true)
        let unavailable = flux.kube.run("flux check")
        XCTAssertNotEqual(unavailable.status, 0)
        XCTAssertTrue(unavailable.err.contains("source-controller"), unavailable.err)
        // Their pods run once there are nodes, as on a cluster.
        try flux.kube.runWorkloads()
        try flux.kube.waitAvailable(
            ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
            namespace: "flux-system")
        let checked = flux.kube.run("flux check | where ok | get check | to json --compact")
        XCTAssertEqual(checked.status, 0, checked.err)
        for expected in [
            "kubernetes", "distribution", "source-controller", "kustomizations.kustomize.toolkit.fluxcd.io",
        ] {
            XCTAssertTrue(checked.out.contains("\"\(expected)\""), checked.out)
        }
        let crd = flux.kube.run(
            #"flux check | where check == "kustomizations.kustomize.toolkit.fluxcd.io" | get 0.detail"#)
        XCTAssertEqual(trimmed(crd.out), "kustomizations.kustomize.toolkit.fluxcd.io/v1", crd.err)
    }
}

/// The REPL's live Flux names: the kind words, and the objects of the kind typed before (or the
/// Kustomizations for `wait` and `tree`), in flux-system unless `-n` says otherwise.
final class FluxNameCompletionTests: XCTestCase {
    private func names(_ kind: String, _ command: String, _ words: [String], _ env: [String: String]) throws -> [String]
    {
        try KubeNameCompletionTests.names(kind, command, words, env)
    }

    func testKindWordsAndLiveObjectNames() throws {
        let flux = try FluxHarness()
        try flux.kustomization("infra")
        try flux.kustomization("apps")
        try flux.kube.create(
            """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: flux-system, namespace: flux-system}
            spec: {interval: 1m0s, ref: {branch: main}, url: ssh://git@github.com/homelab/gitops}
            """)
        let env = flux.kube.environment
        let kinds = try names("flux-kind", "flux get", [], env)
        for word in ["ks", "hr", "git", "sources", "all"] { XCTAssertTrue(kinds.contains(word), "\(word) in \(kinds)") }
        XCTAssertEqual(try names("flux-object", "flux reconcile", ["ks"], env), ["apps", "infra"])
        XCTAssertEqual(try names("flux-object", "flux reconcile", ["git"], env), ["flux-system"])
        XCTAssertEqual(try names("flux-object", "flux wait", [], env), ["all", "apps", "infra"])
        XCTAssertEqual(try names("flux-object", "flux tree", ["-n", "other"], env), [])
    }
}

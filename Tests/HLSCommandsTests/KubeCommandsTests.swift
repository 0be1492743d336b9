import Foundation
import HLSCore
import HLSLanguage
import Kube
import LabSim
import Synchronization
import TestSupport
import XCTest

/// `kube get|apply|delete|wait` run through the interpreter against the simulated Kubernetes API.
final class KubeCommandsTests: XCTestCase {
    static let configMaps = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: apps}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a, namespace: default, labels: {app: web}}
        data: {x: "1"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: b, namespace: apps, labels: {app: db}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, namespace: apps, labels: {app: web}}
        data: {x: "1", y: "2"}
        """

    func testGetListsNodesNamespacesAndConfigMapsWithNamespaceAndSelectors() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-cp-01", controlPlane: true)
        try kube.registerNode("k3s-wk-01", ready: false)
        try kube.create(Self.configMaps)

        let nodes = kube.run("kube get nodes | select name status roles version | to json --compact")
        XCTAssertEqual(nodes.status, 0, nodes.err)
        XCTAssertEqual(
            nodes.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"name":"k3s-cp-01","status":"Ready","roles":"control-plane,master","version":"v1.33.4+k3s1"},"#
                + #"{"name":"k3s-wk-01","status":"NotReady","roles":"<none>","version":"v1.33.4+k3s1"}]"#)

        let namespaces = kube.run("kube get ns | get name | to json --compact")
        XCTAssertEqual(namespaces.status, 0, namespaces.err)
        XCTAssertTrue(namespaces.out.contains(#""apps""#) && namespaces.out.contains(#""default""#), namespaces.out)

        // -n: only that namespace; -l: only the selected labels; -A: every namespace, with the column.
        let inApps = kube.run(#"kube get configmaps -n apps -l "app in (web,db)" | get name | to json --compact"#)
        XCTAssertEqual(inApps.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["b","c"]"#, inApps.err)
        let web = kube.run("kube get cm -A -l app=web | select namespace name data | to json --compact")
        XCTAssertEqual(
            web.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"namespace":"apps","name":"c","data":2},{"namespace":"default","name":"a","data":1}]"#, web.err)
        let inDefault = kube.run("kube get configmap -l app | get name | to json --compact")
        XCTAssertEqual(inDefault.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["a"]"#, inDefault.err)
        let byField = kube.run(
            "kube get cm -A --field-selector metadata.name=b | get namespace | to json --compact")
        XCTAssertEqual(byField.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["apps"]"#, byField.err)
    }

    func testGetResolvesKindNamesAndGivesTheObjectsUnchangedWithOutputJSON() throws {
        let kube = try KubeHarness()
        try kube.create(Self.configMaps)
        // Singular, plural, short, kind and kind.group all name the same type.
        for word in ["configmap", "configmaps", "cm", "ConfigMap"] {
            let result = kube.run("kube get \(word) -A | count")
            XCTAssertEqual(result.status, 0, "\(word): \(result.err)")
        }
        let crds = kube.run("kube get crd.apiextensions.k8s.io | count")
        XCTAssertEqual(crds.status, 0, crds.err)

        let raw = kube.run("kube get cm c -n apps -o json")
        XCTAssertEqual(raw.status, 0, raw.err)
        let object = try JSONSerialization.jsonObject(with: Data(raw.out.utf8)) as? [String: Any]
        let metadata = object?["metadata"] as? [String: Any]
        XCTAssertEqual(object?["kind"] as? String, "ConfigMap", raw.out)
        XCTAssertEqual(object?["data"] as? [String: String], ["x": "1", "y": "2"], raw.out)
        XCTAssertNotNil(metadata?["resourceVersion"], "the API's object, not a table row: \(raw.out)")
        XCTAssertNotNil(metadata?["uid"], raw.out)

        let unknown = kube.run("kube get wigdets")
        XCTAssertEqual(unknown.status, 2, unknown.err)
        XCTAssertTrue(unknown.err.contains(#"doesn't have a resource type "wigdets""#), unknown.err)
        let missing = kube.run("kube get cm nope")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("nope"), missing.err)
    }

    /// A widget, a ConfigMap, the CRD widgets need and their namespace, in an order that fails unless
    /// the namespace and the CRD are applied first.
    static let withCRD = """
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w1, namespace: demo}
        spec: {size: 3}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: demo}
        data: {mode: fast}
        ---
        \(KubeManifests.widgetCRD)
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        """

    func testApplyOrdersNamespacesAndCRDsFirstAndASecondApplyIsUnchanged() throws {
        let kube = try KubeHarness()
        let file = try kube.dir.write("app.yaml", Self.withCRD)
        let first = kube.run(#"kube apply -f "\#(file)" | select target result status | to json --compact"#)
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(
            first.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"[{"target":"Namespace/demo","result":"created","status":"applied"},"#
                + #"{"target":"CustomResourceDefinition/widgets.example.com","result":"created","status":"applied"},"#
                + #"{"target":"Widget/demo/w1","result":"created","status":"applied"},"#
                + #"{"target":"ConfigMap/demo/settings","result":"created","status":"applied"}]"#)
        let second = kube.run(#"kube apply -f "\#(kube.dir.path)" | get result | to json --compact"#)
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertEqual(
            second.out.trimmingCharacters(in: .whitespacesAndNewlines),
            #"["unchanged","unchanged","unchanged","unchanged"]"#)
        // Nothing to apply is no change (a server-side dry run says so), as a phase counts it.
        let converged = kube.run(#"kube apply -f "\#(file)" | where status != "unchanged" | count"#)
        XCTAssertEqual(converged.out, "0\n", converged.err)
        XCTAssertTrue(converged.err.contains("kube apply: no change"), converged.err)
        let widgets = kube.run("kube get widgets.example.com -n demo | get name | to json --compact")
        XCTAssertEqual(widgets.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["w1"]"#, widgets.err)
        let short = kube.run("kube get wg w1 -n demo -o json")
        XCTAssertTrue(short.out.contains(#""size": 3"#) || short.out.contains(#""size":3"#), short.out + short.err)

        // A changed document is configured, the others stay unchanged.
        _ = try kube.dir.write("app.yaml", Self.withCRD.replacingOccurrences(of: "mode: fast", with: "mode: slow"))
        let third = kube.run(
            #"kube apply -f "\#(file)" | where result != "unchanged" | get target | to json --compact"#)
        XCTAssertEqual(
            third.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["ConfigMap/demo/settings"]"#, third.err)
    }

    func testApplyDryRunWritesNothing() throws {
        let kube = try KubeHarness()
        let file = try kube.dir.write("app.yaml", Self.configMaps)
        var options = RunOptions()
        options.dryRun = true
        let result = kube.run(#"kube apply -f "\#(file)" | get status | to json --compact"#, options: options)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("planned"), result.out)
        XCTAssertNil(try kube.client.getIfPresent(.namespaces, "apps"))
    }

    /// The server's own checks run on every new object before any is applied (a server-side dry
    /// run, as kubectl's --dry-run=server): an invalid name in the second document leaves the
    /// first unapplied, and a dry run says so too rather than "planned create".
    func testAnObjectTheServerRefusesStopsTheApplyBeforeAnythingIsApplied() throws {
        let kube = try KubeHarness()
        let file = try kube.dir.write(
            "two.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: first, namespace: default}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: Trial_Bad, namespace: default}
            """)
        for dryRun in [true, false] {
            var options = RunOptions()
            options.dryRun = dryRun
            let run = kube.run(#"kube apply -f "\#(file)""#, options: options)
            XCTAssertEqual(run.status, 1, run.err)
            XCTAssertTrue(
                run.err.contains(
                    "error: kube apply: the server refuses ConfigMap/default/Trial_Bad: ConfigMap \"Trial_Bad\" is invalid: "
                        + "metadata.name: Invalid value: \"Trial_Bad\""),
                run.err)
            XCTAssertTrue(run.err.contains("hint: nothing was applied"), run.err)
            XCTAssertNil(try kube.client.getIfPresent(KubeResource.configMapsForTest, "first", namespace: "default"))
        }
        // An existing object is asked too (the dry run that tells its "no change"): a label
        // the server cannot type stops the apply before the new first document is created.
        try kube.create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second, namespace: default}\n")
        let existing = try kube.dir.write(
            "existing.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: first, namespace: default}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: second, namespace: default, labels: {tier: 1}}
            """)
        let typed = kube.run(#"kube apply -f "\#(existing)""#)
        XCTAssertEqual(typed.status, 1, typed.err)
        XCTAssertTrue(
            typed.err.contains("the server refuses ConfigMap/default/second: failed to create typed patch object"),
            typed.err)
        XCTAssertNil(try kube.client.getIfPresent(KubeResource.configMapsForTest, "first", namespace: "default"))
    }

    func testABadDocumentIsNamedAtItsLineAndNothingIsApplied() throws {
        let kube = try KubeHarness()
        let syntax = try kube.dir.write(
            "bad.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: first}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: second
            data: {a: 1}
            """)
        let bad = kube.run(#"kube apply -f "\#(syntax)""#)
        XCTAssertEqual(bad.status, 2, bad.err)
        XCTAssertTrue(bad.err.contains("bad.yaml:8:"), bad.err)
        XCTAssertTrue(bad.err.contains("nothing was applied"), bad.err)
        XCTAssertNil(try kube.client.getIfPresent(KubeResource.configMapsForTest, "first", namespace: "default"))

        let unknownKind = try kube.dir.write(
            "unknown.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: first}
            ---
            apiVersion: example.com/v1
            kind: Gadget
            metadata: {name: g}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: third, namespace: nowhere}
            """)
        let unknown = kube.run(#"kube apply -f "\#(unknownKind)""#)
        XCTAssertEqual(unknown.status, 2, unknown.err)
        XCTAssertTrue(
            unknown.err.contains("unknown.yaml:5:1: error: the server doesn't have kind Gadget in example.com/v1"),
            unknown.err)
        XCTAssertTrue(
            unknown.err.contains("unknown.yaml:9:1: error: ConfigMap/nowhere/third: namespace nowhere does not exist"),
            unknown.err)
        XCTAssertNil(try kube.client.getIfPresent(KubeResource.configMapsForTest, "first", namespace: "default"))
    }

    func testDeleteRemovesTheObjectAndAGoneObjectIsNoChange() throws {
        let kube = try KubeHarness()
        try kube.create(Self.configMaps)
        let delete = kube.run("kube delete cm c -n apps --wait --timeout 10s | get status | to json --compact")
        XCTAssertEqual(delete.status, 0, delete.err)
        XCTAssertEqual(delete.out.trimmingCharacters(in: .whitespacesAndNewlines), #"["applied"]"#)
        XCTAssertNil(try kube.client.getIfPresent(KubeResource.configMapsForTest, "c", namespace: "apps"))
        XCTAssertNotNil(try kube.client.getIfPresent(KubeResource.configMapsForTest, "b", namespace: "apps"))
        let again = kube.run("kube delete cm c -n apps")
        XCTAssertEqual(again.status, 0, again.err)
        XCTAssertTrue(again.err.contains("kube delete: no change"), again.err)
    }

    func testWaitReturnsAsSoonAsTheConditionIsSet() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01", ready: false)
        let sim = kube.sim
        // When the condition was set: only then may the wait return.
        let changed = Mutex<ContinuousClock.Instant?>(nil)
        let setter = Thread {
            Thread.sleep(forTimeInterval: 0.7)
            changed.withLock { $0 = .now }
            try? sim.setNodeReady("k3s-wk-01", true)
        }
        setter.start()
        let result = kube.run("kube wait node k3s-wk-01 --for condition=Ready --timeout 20s | get for")
        let returned = ContinuousClock.now
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out.trimmingCharacters(in: .whitespacesAndNewlines), "condition Ready")
        let at = try XCTUnwrap(changed.withLock { $0 }, "returned before the condition was set")
        XCTAssertLessThan(returned - at, .seconds(4), "the watch ends the wait promptly, not a poll interval later")
    }

    /// An empty list says so on a terminal, as kubectl's "No resources found", and says when the
    /// namespace itself does not exist; a script (no terminal) gets no note.
    func testAnEmptyListSaysSoAndWhetherTheNamespaceExists() throws {
        let kube = try KubeHarness()
        let tty = Terminal(isTTY: true, color: false, width: 80)
        let typo = kube.run("kube get pods -n kube-sytem", stderrTerminal: tty)
        XCTAssertEqual(typo.status, 0, typo.err)
        XCTAssertEqual(typo.err, "note: namespace kube-sytem does not exist (kube get ns lists them)\n")
        XCTAssertEqual(
            kube.run("kube get secrets -n default", stderrTerminal: tty).err, "note: no secrets in namespace default\n")
        XCTAssertEqual(kube.run("kube get pods -A", stderrTerminal: tty).err, "note: no pods in any namespace\n")
        XCTAssertEqual(kube.run("kube get pods -n kube-sytem").err, "", "no note without a terminal")
    }

    func testWaitTimesOutNamingWhatItAwaitedAndTheLastState() throws {
        let kube = try KubeHarness()
        try kube.registerNode("k3s-wk-01", ready: false)
        let result = kube.run("kube wait no k3s-wk-01 --for condition=Ready --timeout 1s")
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.err.contains("kube wait: nodes/k3s-wk-01 is not condition Ready after 1s"), result.err)
        XCTAssertTrue(result.err.contains("cause: Ready=False"), result.err)
        // A condition the object does not have: which it has, and the closest; the hint keeps -n.
        let misspelt = kube.run("kube wait no k3s-wk-01 --for condition=Redy --timeout 1s")
        XCTAssertTrue(
            misspelt.err.contains(
                "cause: no condition Redy (it has MemoryPressure, DiskPressure, PIDPressure, Ready; did you mean 'Ready'?)"
            ), misspelt.err)
        let missing = kube.run("kube wait cm nosuch -n kube-system --for condition=Ready --timeout 1s")
        XCTAssertTrue(
            missing.err.contains(
                "hint: raise --timeout, or look at the object: kube get configmaps nosuch -n kube-system -o yaml"),
            missing.err)
        let typo = kube.run("kube wait no k3s-wk-01 --for ready")
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.err.contains("condition=NAME"), typo.err)
    }
}

extension KubeResource {
    static let configMapsForTest = KubeResource(
        group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"])
}

extension KubeCommandsTests {
    /// A stop must not wait for an idle client's TLS close_notify (swift-nio-ssl's default wait
    /// is 5 s per connection, and curl's pooled connection never answers): every kube test paid
    /// 5 s at teardown before.
    func testStoppingTheAPIDoesNotWaitForIdleClientConnections() throws {
        let harness = try KubeHarness()
        XCTAssertEqual(harness.run("kube get nodes").status, 0)
        let started = ContinuousClock.now
        harness.sim.stop()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4), "stop waited for the idle connection")
    }
}

extension KubeCommandsTests {
    /// As kubectl's `wait --for=condition=`: a condition computed for an older generation than
    /// the object's (its own observedGeneration, else status.observedGeneration) does not count,
    /// so a wait right after a change does not return on the previous generation's Ready.
    func testWaitIgnoresAConditionOfAnOlderGeneration() throws {
        let kube = try KubeHarness()
        let file = try kube.dir.write("app.yaml", Self.withCRD)
        XCTAssertEqual(kube.run(#"kube apply -f "\#(file)""#).status, 0)
        let client = kube.client
        let setStatus = { @Sendable (observed: Int, conditionObserved: Int?) throws in
            try Self.setWidgetReady(client, observed: observed, conditionObserved: conditionObserved)
        }
        try setStatus(1, nil)
        XCTAssertEqual(kube.run("kube wait widget w1 -n demo --for condition=Ready --timeout 5s").status, 0)

        // A change of spec: generation 2, while the status still says Ready for generation 1.
        let changed = try kube.client.mergePatch(
            .widgetsForTest, "w1", namespace: "demo", patch: .object([("spec", .object([("size", .int(4))]))]))
        XCTAssertEqual(changed["metadata"]?["generation"], .int(2))
        for (observed, conditionObserved) in [(1, nil), (2, 1)] as [(Int, Int?)] {
            try setStatus(observed, conditionObserved)
            let stale = kube.run("kube wait widget w1 -n demo --for condition=Ready --timeout 1s")
            XCTAssertEqual(
                stale.status, 1, "returned on a stale Ready (\(observed), \(String(describing: conditionObserved)))")
            XCTAssertTrue(stale.err.contains("generation 1"), stale.err)
        }

        // The controller catches up while the wait runs; only then may the wait return.
        let caughtUp = Mutex(false)
        let setter = Thread {
            Thread.sleep(forTimeInterval: 0.7)
            caughtUp.withLock { $0 = true }
            try? setStatus(2, 2)
        }
        setter.start()
        let result = kube.run("kube wait widget w1 -n demo --for condition=Ready --timeout 20s | get for")
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(caughtUp.withLock { $0 }, "returned before the status caught up")
    }

    /// Status Ready=True, observed at generation `observed` (and the condition's own
    /// observedGeneration when given).
    static func setWidgetReady(_ client: KubeClient, observed: Int, conditionObserved: Int?) throws {
        var condition: [(key: String, value: Document)] = [("type", .string("Ready")), ("status", .string("True"))]
        if let conditionObserved { condition.append(("observedGeneration", .int(conditionObserved))) }
        let status = Document.object([
            ("observedGeneration", .int(observed)), ("conditions", .array([.object(condition)])),
        ])
        try client.mergePatch(
            .widgetsForTest, "w1", namespace: "demo", patch: .object([("status", status)]), subresource: "status")
    }
}

extension KubeResource {
    static let widgetsForTest = KubeResource(
        group: "example.com", version: "v1", name: "widgets", kind: "Widget", namespaced: true, shortNames: ["wg"])
}

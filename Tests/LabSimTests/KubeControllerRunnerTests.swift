import Dispatch
import HLSCore
import HLSFormats
import NIOPosix
import Synchronization
import XCTest

@testable import LabSim

/// The runner under the simulated cluster's controllers: fed by the store's changes, one
/// reconcile per queued object, writes that go through the API's own bookkeeping, requeues, and
/// a stop after which nothing runs.
final class KubeControllerRunnerTests: InProcessKubeTestCase {
    static let configMaps = KubeResourceName(group: "", version: "v1", plural: "configmaps")
    static let secrets = KubeResourceName(group: "", version: "v1", plural: "secrets")

    /// Copies each ConfigMap labelled `mirror=yes` to `<name>-mirror`, adding the data of the
    /// Secret `extra` when there is one (a followed resource), and asks to look again after
    /// `requeue` while a ConfigMap says `requeue: "yes"`. Counts its reconciles by name.
    final class Mirror: SimulatedController {
        let name = "mirror-controller"
        let resource = KubeControllerRunnerTests.configMaps
        let follows = [KubeControllerRunnerTests.secrets]
        let seen = Mutex<[String: Int]>([:])

        func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration? {
            let name = object.text("metadata", "name") ?? ""
            seen.withLock { $0[name, default: 0] += 1 }
            guard object.text("metadata", "labels", "mirror") == "yes" else { return nil }
            var data = object.at(["data"]) ?? .object([])
            if let extra = try? client.get(KubeControllerRunnerTests.secrets.path(namespace: "default", name: "extra"))
            {
                data.set(["extra"], .string(extra.text("metadata", "resourceVersion") ?? ""))
            }
            let mirror = Document.object([
                ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                ("metadata", .object([("name", .string(name + "-mirror")), ("namespace", .string("default"))])),
                ("data", data),
            ])
            _ = try? client.apply(resource.path(namespace: "default", name: name + "-mirror"), mirror)
            return object.text("data", "requeue") == "yes" ? .milliseconds(30) : nil
        }

        func count(_ name: String) -> Int { seen.withLock { $0[name] ?? 0 } }
    }

    private func configMap(_ name: String, data: [(String, String)], mirror: Bool = true) throws {
        let object = Document.object([
            ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
            (
                "metadata",
                .object([
                    ("name", .string(name)), ("namespace", .string("default")),
                    ("labels", .object(mirror ? [("mirror", .string("yes"))] : [])),
                ])
            ),
            ("data", .object(data.map { ($0.0, .string($0.1)) })),
        ])
        try user.apply(Self.configMaps.path(namespace: "default", name: name), object)
    }

    private func mirror(of name: String) throws -> Document? {
        try user.get(Self.configMaps.path(namespace: "default", name: name + "-mirror"))
    }

    func testAChangeIsReconciledThroughTheAPIAndFollowedResourcesRequeueEverything() throws {
        try configMap("before", data: [("a", "1")])
        let mirror = Mirror()
        let runner = KubeControllerRunner(api: api, controllers: [mirror])
        runner.start()
        defer { runner.stop() }
        // Objects that were there before the start are reconciled too.
        try eventually("before-mirror") { try self.mirror(of: "before") != nil }
        try configMap("web", data: [("a", "1")])
        try eventually("web-mirror") { try self.mirror(of: "web")?.text("data", "a") == "1" }
        // The write went through the API: a managed-fields entry of the controller's manager.
        let written = try XCTUnwrap(try self.mirror(of: "web"))
        let managers = written.at(["metadata", "managedFields"])?.items.compactMap { $0.text("manager") }
        XCTAssertEqual(managers, ["mirror-controller"])
        XCTAssertEqual(written.at(["metadata", "managedFields"])?.items.first?.text("operation"), "Apply")

        try configMap("web", data: [("a", "2")])
        try eventually("web-mirror follows the change") { try self.mirror(of: "web")?.text("data", "a") == "2" }

        // A Secret is followed: its creation re-queues every ConfigMap.
        _ = try user.create(
            Self.secrets.path(namespace: "default"),
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                ("metadata", .object([("name", .string("extra")), ("namespace", .string("default"))])),
            ]))
        try eventually("both mirrors see the secret") {
            try self.mirror(of: "web")?.text("data", "extra") != nil
                && self.mirror(of: "before")?.text("data", "extra") != nil
        }
    }

    /// Asks to look at each ConfigMap again in an hour, and counts its reconciles.
    final class Hourly: SimulatedController {
        let name = "hourly"
        let resource = KubeControllerRunnerTests.configMaps
        let seen = Mutex(0)

        func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration? {
            seen.withLock { $0 += 1 }
            return .seconds(3600)
        }
    }

    /// The zero timings' runner scales every requeue: an hour's requeue comes back within the
    /// test's wait (36 ms at this scale), three times over; at scale 1 it would not before an hour.
    func testTheRequeueScaleShortensEveryRequeueTheControllerAsksFor() throws {
        try configMap("web", data: [("a", "1")], mirror: false)
        let hourly = Hourly()
        let runner = KubeControllerRunner(api: api, controllers: [hourly], requeueScale: 1e-5)
        runner.start()
        defer { runner.stop() }
        try eventually("three reconciles of web") { hourly.seen.withLock { $0 } >= 3 }
    }

    /// Counts its reconciles of ConfigMaps; runs as the Deployment `default/counter`.
    final class Installed: SimulatedController {
        let name = "counter"
        let resource = KubeControllerRunnerTests.configMaps
        let workload: SimulatedWorkload? = SimulatedWorkload(kind: .deployment, namespace: "default", name: "counter")
        let seen = Mutex(0)

        func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration? {
            seen.withLock { $0 += 1 }
            return nil
        }
    }

    static let deployments = KubeResourceName(group: "apps", version: "v1", plural: "deployments")

    /// The Deployment `default/NAME` with one container, no status yet.
    static func deployment(_ name: String) throws -> Document {
        try JSONCodec.decode(
            #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)","namespace":"default"},"#
                + #""spec":{"selector":{"matchLabels":{"app":"\#(name)"}},"template":{"metadata":{"labels":"#
                + #"{"app":"\#(name)"}},"spec":{"containers":[{"name":"c","image":"counter:1"}]}}}}"#)
    }

    /// Creates `default/NAME` (`deployment`) with one available pod, as its controller reports it.
    func availableDeployment(_ name: String) throws {
        var deployment = try user.create(Self.deployments.path(namespace: "default"), Self.deployment(name))
        deployment.set(["status"], .object([("replicas", .int(1)), ("availableReplicas", .int(1))]))
        try user.replaceStatus(Self.deployments.path(namespace: "default", name: name), deployment)
    }

    /// How many requests the controllers made of `METHOD /path` so far.
    func requests(_ request: String) -> Int { api.inProcessRequests.withLock { $0[request] ?? 0 } }

    func testTheWorkloadGateKnowsAvailabilityFromTheWatchWithoutAGetPerReconcile() throws {
        // Available before the runner starts: it learns so from the store, not from a change.
        try availableDeployment("counter")
        try configMap("before", data: [("a", "1")])
        let installed = Installed()
        let runner = KubeControllerRunner(api: api, controllers: [installed])
        runner.start()
        defer { runner.stop() }
        try eventually("the object there before the start is reconciled") { installed.seen.withLock { $0 } == 1 }
        for index in 1...5 { try configMap("c\(index)", data: [("a", "1")]) }
        try eventually("each new object is reconciled") { installed.seen.withLock { $0 } == 6 }
        XCTAssertEqual(
            requests("GET " + Self.deployments.path(namespace: "default", name: "counter")), 0,
            "the gate read the workload from the API")
    }

    static let pods = KubeResourceName(group: "", version: "v1", plural: "pods")
    static let budgets = KubeResourceName(group: "policy", version: "v1", plural: "poddisruptionbudgets")

    /// The status of budget `default/NAME`'s `expectedPods`, once the controller wrote one.
    func expectedPods(_ name: String) throws -> Int? {
        guard
            case .int(let count) = try user.get(Self.budgets.path(namespace: "default", name: name))?
                .at(["status", "expectedPods"])
        else { return nil }
        return count
    }

    func testAPodChangeQueuesOnlyTheDisruptionBudgetsThatSelectItBeforeOrAfter() throws {
        for app in ["web", "db"] {
            _ = try user.create(
                Self.budgets.path(namespace: "default"),
                try JSONCodec.decode(
                    #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"\#(app)"},"#
                        + #""spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"\#(app)"}}}}"#))
        }
        let runner = KubeControllerRunner(api: api, controllers: [SimulatedDisruptionController()])
        runner.start()
        defer { runner.stop() }
        try eventually("both budgets counted") { try self.expectedPods("web") == 0 && self.expectedPods("db") == 0 }
        usleep(200_000)
        let reads = { (name: String) in self.requests("GET " + Self.budgets.path(namespace: "default", name: name)) }
        let db = reads("db")
        let pod = Self.pods.path(namespace: "default", name: "web-1")
        _ = try user.create(
            Self.pods.path(namespace: "default"),
            try JSONCodec.decode(
                #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","labels":{"app":"web"}},"#
                    + #""spec":{"containers":[{"name":"c","image":"web:1"}]}}"#))
        try eventually("web counts its pod") { try self.expectedPods("web") == 1 }
        usleep(200_000)
        XCTAssertEqual(reads("db"), db, "a budget that does not select the pod was queued")

        // Relabelled: the budget it left and the one it joined are both queued.
        try user.mergePatch(pod, try JSONCodec.decode(#"{"metadata":{"labels":{"app":"db"}}}"#))
        try eventually("web lost it, db has it") { try self.expectedPods("web") == 0 && self.expectedPods("db") == 1 }
        // Gone: the budget that selected it is queued.
        try user.delete(pod)
        try eventually("db lost it") { try self.expectedPods("db") == 0 }
    }

    func testAnInstalledControllerActsOnlyOnceItsWorkloadHasAnAvailablePod() throws {
        try configMap("waiting", data: [("a", "1")])
        let installed = Installed()
        let runner = KubeControllerRunner(api: api, controllers: [installed])
        runner.start()
        defer { runner.stop() }
        let deployments = Self.deployments
        let path = deployments.path(namespace: "default", name: "counter")
        var deployment = try Self.deployment("counter")
        deployment = try user.create(deployments.path(namespace: "default"), deployment)
        usleep(200_000)
        XCTAssertEqual(installed.seen.withLock { $0 }, 0, "reconciled before its pod was available")
        deployment.set(["status"], .object([("replicas", .int(1)), ("availableReplicas", .int(1))]))
        deployment = try user.replaceStatus(path, deployment)
        try eventually("reconciled once available") { installed.seen.withLock { $0 } >= 1 }

        // Other workloads' changes, and its own that leave it available, queue nothing.
        usleep(100_000)
        let settled = installed.seen.withLock { $0 }
        var other = deployment
        other.set(["metadata"], .object([("name", .string("other")), ("namespace", .string("default"))]))
        other = try user.create(deployments.path(namespace: "default"), other)
        _ = try user.replaceStatus(deployments.path(namespace: "default", name: "other"), other)
        deployment.set(["status", "observedGeneration"], .int(1))
        deployment = try user.replaceStatus(path, deployment)
        usleep(200_000)
        XCTAssertEqual(installed.seen.withLock { $0 }, settled, "re-queued by a workload change that gates nothing")
        // Unavailable, then available again: everything is queued once more.
        deployment.set(["status", "availableReplicas"], .int(0))
        deployment = try user.replaceStatus(path, deployment)
        deployment.set(["status", "availableReplicas"], .int(1))
        _ = try user.replaceStatus(path, deployment)
        try eventually("reconciled again once available again") { installed.seen.withLock { $0 } > settled }
    }

    /// Counts its reconciles of ConfigMaps by name; owns Secrets.
    final class Owner: SimulatedController {
        let name = "owner"
        let resource = KubeControllerRunnerTests.configMaps
        let owns = [KubeControllerRunnerTests.secrets]
        let seen = Mutex<[String: Int]>([:])

        func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration? {
            seen.withLock { $0[object.text("metadata", "name") ?? "", default: 0] += 1 }
            return nil
        }

        func count(_ name: String) -> Int { seen.withLock { $0[name] ?? 0 } }
    }

    func testAChangeToAnOwnedObjectQueuesOnlyItsController() throws {
        try configMap("a", data: [])
        try configMap("b", data: [])
        let owner = Owner()
        let runner = KubeControllerRunner(api: api, controllers: [owner])
        runner.start()
        defer { runner.stop() }
        try eventually("both reconciled at start") { owner.count("a") == 1 && owner.count("b") == 1 }
        let a = try XCTUnwrap(try user.get(Self.configMaps.path(namespace: "default", name: "a")))
        func secret(_ name: String, controller: Bool) -> Document {
            let reference = Document.object([
                ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")), ("name", .string("a")),
                ("uid", a["metadata"]?["uid"] ?? .null), ("controller", .bool(controller)),
            ])
            return .object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                (
                    "metadata",
                    .object([
                        ("name", .string(name)), ("namespace", .string("default")),
                        ("ownerReferences", .array([reference])),
                    ])
                ),
            ])
        }
        _ = try user.create(Self.secrets.path(namespace: "default"), secret("owned", controller: true))
        try eventually("the owner is queued") { owner.count("a") == 2 }
        // A Secret that only refers to `a` without controlling it queues nothing.
        _ = try user.create(Self.secrets.path(namespace: "default"), secret("referring", controller: false))
        usleep(200_000)
        XCTAssertEqual(owner.count("a"), 2)
        XCTAssertEqual(owner.count("b"), 1, "a ConfigMap that owns nothing was queued by a Secret's change")
    }

    func testARequeueComesBackUntilTheControllerIsDoneAndNothingRunsAfterStop() throws {
        let mirror = Mirror()
        let runner = KubeControllerRunner(api: api, controllers: [mirror])
        runner.start()
        try configMap("loop", data: [("requeue", "yes")])
        try eventually("three reconciles of a requeued object") { mirror.count("loop") >= 3 }
        try configMap("loop", data: [("requeue", "no")])
        try eventually("the mirror says no more") { try self.mirror(of: "loop")?.text("data", "requeue") == "no" }
        let settled = mirror.count("loop")
        // A probe requeued as `loop` was: by its fifth reconcile four requeue delays have passed
        // on the runner, in which a `loop` still requeued would have come back as often.
        try configMap("probe", data: [("requeue", "yes")])
        try eventually("the probe requeued four times") { mirror.count("probe") >= 5 }
        XCTAssertLessThanOrEqual(mirror.count("loop"), settled + 1, "no requeue once the controller is done")
        try configMap("probe", data: [("requeue", "no")])
        runner.stop()
        let stopped = mirror.count("quiet")
        try configMap("quiet", data: [("a", "1")])
        usleep(100_000)
        XCTAssertEqual(mirror.count("quiet"), stopped, "a stopped runner reconciles nothing")
        XCTAssertNil(try self.mirror(of: "quiet"))
    }

    static let services = KubeResourceName(group: "", version: "v1", plural: "services")

    private func ingress(_ name: String) throws -> [String]? {
        try user.get(Self.services.path(namespace: "default", name: name))?.at(["status", "loadBalancer", "ingress"])?
            .items.map { "\($0.text("ip") ?? "")/\($0.text("ipMode") ?? "")" }
    }

    private func loadBalancer(_ name: String) throws {
        _ = try user.create(
            Self.services.path(namespace: "default"),
            try JSONCodec.decode(
                #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"\#(name)"},"spec":{"type":"LoadBalancer","selector":{"app":"\#(name)"},"ports":[{"port":80}]}}"#
            ))
    }

    func testServiceLBFollowsTheReadyNodesClearsAServiceNoLongerALoadBalancerAndWaitsWhileDisabled() throws {
        for (name, ip) in [("cp", "192.168.10.21"), ("wk", "192.168.10.22")] {
            try api.register(
                KubeNodeRegistration(name: name, internalIP: ip, controlPlane: name == "cp", version: "v1.33.4+k3s1"))
        }
        let enabled = Atomic<Bool>(true)
        let runner = KubeControllerRunner(
            api: api, controllers: [SimulatedServiceLB(runs: { enabled.load(ordering: .acquiring) })])
        runner.start()
        defer { runner.stop() }
        try loadBalancer("web")
        try eventually("web gets both nodes") { try self.ingress("web") == ["192.168.10.21/VIP", "192.168.10.22/VIP"] }
        // Written as k3s writes it: an update of the status by the manager `k3s`.
        let web = try XCTUnwrap(try user.get(Self.services.path(namespace: "default", name: "web")))
        let entry = web.at(["metadata", "managedFields"])?.items.first { $0.text("manager") == "k3s" }
        XCTAssertEqual(entry?.text("operation"), "Update", "\(web)")
        XCTAssertEqual(entry?.text("subresource"), "status", "\(web)")

        try api.setNodeReady("wk", false)
        try eventually("a NotReady node leaves") { try self.ingress("web") == ["192.168.10.21/VIP"] }
        try user.mergePatch(
            Self.services.path(namespace: "default", name: "web"),
            try JSONCodec.decode(#"{"spec":{"type":"ClusterIP"}}"#))
        try eventually("a ClusterIP Service has no ingress") { try self.ingress("web") == nil }

        // Disabled, ServiceLB writes nothing; once it runs it gives the Service its address.
        enabled.store(false, ordering: .releasing)
        try loadBalancer("db")
        usleep(200_000)
        XCTAssertNil(try ingress("db"))
        enabled.store(true, ordering: .releasing)
        try eventually("db gets its address once ServiceLB runs") { try self.ingress("db") == ["192.168.10.21/VIP"] }
    }

    /// Runs `body` on its own thread; whether it returned within `seconds` (a stop that blocks
    /// forever fails the test instead of hanging it).
    private func returns(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Threads.detach {
            body()
            done.signal()
        }
        return done.wait(timeout: .now() + seconds) == .success
    }

    /// Stops its own runner from a reconcile.
    final class Stopper: SimulatedController {
        let name = "stopper"
        let resource = KubeControllerRunnerTests.configMaps
        let runner = Mutex<KubeControllerRunner?>(nil)
        let reconciles = Atomic<Int>(0)
        let stopped = DispatchSemaphore(value: 0)

        func reconcile(_ object: Document, client: KubeInProcessClient) -> Duration? {
            reconciles.add(1, ordering: .relaxed)
            runner.withLock { $0 }?.stop()
            stopped.signal()
            return nil
        }
    }

    func testStopBeforeStartOrFromAReconcileReturns() throws {
        let idle = KubeControllerRunner(api: api, controllers: [Mirror()])
        XCTAssertTrue(returns(within: 2) { idle.stop() }, "stop() before start() blocks")

        try configMap("a", data: [("k", "v")])
        try configMap("b", data: [("k", "v")])
        let stopper = Stopper()
        let runner = KubeControllerRunner(api: api, controllers: [stopper])
        stopper.runner.withLock { $0 = runner }
        runner.start()
        XCTAssertEqual(stopper.stopped.wait(timeout: .now() + 2), .success, "stop() from a reconcile blocks")
        XCTAssertTrue(returns(within: 2) { runner.stop() })
        try configMap("c", data: [("k", "v")])
        usleep(100_000)
        XCTAssertEqual(stopper.reconciles.load(ordering: .relaxed), 1, "nothing runs after the reconcile that stopped")
    }

    func testAnAnswerThatIsNotASuccessThrowsItsStatus() throws {
        let type = try XCTUnwrap(KubeBuiltInTypes.all.first { $0.plural == "configmaps" })
        let conflict = KubeHTTPResponse.status(.alreadyExists(type, "web"))
        XCTAssertThrowsError(
            try KubeInProcessClient.answer(conflict, to: "POST", "/api/v1/namespaces/default/configmaps")
        ) {
            let status = $0 as? KubeStatus
            XCTAssertEqual(status?.code, 409)
            XCTAssertEqual(status?.reason, "AlreadyExists")
            XCTAssertEqual(status?.message, #"configmaps "web" already exists"#)
        }
        let bare = KubeHTTPResponse(status: 503, body: Array("unavailable".utf8), contentType: "text/plain")
        XCTAssertThrowsError(try KubeInProcessClient.answer(bare, to: "GET", "/api/v1/nodes")) {
            XCTAssertEqual(($0 as? KubeStatus)?.code, 503)
        }
        let ok = KubeHTTPResponse.json(200, .object([("kind", .string("NodeList"))]))
        XCTAssertEqual(try KubeInProcessClient.answer(ok, to: "GET", "/api/v1/nodes").text("kind"), "NodeList")
    }
}

import HLSCore
import HLSFormats
import NIOPosix
import Synchronization
import XCTest

@testable import LabSim

/// The runner under the simulated cluster's controllers: fed by the store's changes, one
/// reconcile per queued object, writes that go through the API's own bookkeeping, requeues, and
/// a stop after which nothing runs.
final class KubeControllerRunnerTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var api: KubeAPI!
    private var user: KubeInProcessClient!

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        api = KubeAPI(config: KubeAPIConfig(), faults: KubeFaultInjector(), controllers: group.next())
        user = KubeInProcessClient(api: api, manager: "tests")
    }

    override func tearDown() { try? group.syncShutdownGracefully() }

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

    private func eventually(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            usleep(5_000)
        }
        XCTFail("never: \(what)")
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
}

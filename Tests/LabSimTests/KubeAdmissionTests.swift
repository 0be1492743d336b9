import HLSCore
import HLSFormats
import NIOPosix
import Synchronization
import XCTest

@testable import LabSim

/// Validating admission webhooks in the simulated API: a write that a configuration's rules
/// match calls the named simulated webhook, and fails as the apiserver fails it while that does
/// not answer (dry runs too); writes the rules do not match, and `failurePolicy: Ignore`, pass.
final class KubeAdmissionTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var api: KubeAPI!
    private var client: KubeInProcessClient!
    /// Whether the simulated webhook answers.
    private final class Switch: Sendable {
        let on = Atomic(false)
    }
    private let answering = Switch()

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        api = KubeAPI(config: KubeAPIConfig(), faults: KubeFaultInjector(), controllers: group.next())
        client = KubeInProcessClient(api: api, manager: "tests")
        let answering = answering
        api.store.transact { state in
            state.webhooks["check.example.com"] = KubeSimulatedWebhook(name: "check.example.com") { _, service in
                service?.name == "checker" && answering.on.load(ordering: .relaxed)
            }
        }
    }

    override func tearDown() { try? group.syncShutdownGracefully() }

    private func apply(_ yaml: String) throws {
        for object in try YAMLCodec.decodeAll(yaml) {
            let kind = object.text("kind") ?? ""
            let resource =
                kind == "Service"
                ? KubeResourceName(group: "", version: "v1", plural: "services")
                : kind == "ConfigMap"
                    ? KubeResourceName(group: "", version: "v1", plural: "configmaps")
                    : KubeResourceName(
                        group: "admissionregistration.k8s.io", version: "v1", plural: "validatingwebhookconfigurations")
            try client.apply(
                resource.path(namespace: object.text("metadata", "namespace"), name: object.text("metadata", "name")),
                object)
        }
    }

    private func configMap(_ name: String, dryRun: Bool = false) -> KubeHTTPResponse {
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"}}"#
        let request = KubeHTTPRequest(
            method: "POST", path: "/api/v1/namespaces/default/configmaps",
            query: dryRun ? [(name: "dryRun", value: "All")] : [],
            headers: [("Content-Type", "application/json")], body: Array(body.utf8), certificateUser: nil)
        do { return try api.serveInProcess(request) } catch { return .status(error) }
    }

    func testAWebhookThatDoesNotAnswerFailsTheWritesItsRulesMatch() throws {
        try apply(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: checker, namespace: default}
            spec: {ports: [{port: 443}]}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: checker}
            webhooks:
            - name: check.example.com
              rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
              failurePolicy: Fail
              sideEffects: None
              timeoutSeconds: 5
              clientConfig: {service: {name: checker, namespace: default, path: /check}}
            """)
        let ip = try XCTUnwrap(
            try client.get("/api/v1/namespaces/default/services/checker")?.text("spec", "clusterIP"))
        for dryRun in [false, true] {
            let refused = configMap("a", dryRun: dryRun)
            XCTAssertEqual(refused.status, 500)
            let status = try JSONCodec.decode(String(decoding: refused.body, as: UTF8.self))
            XCTAssertEqual(status.text("reason"), "InternalError")
            XCTAssertEqual(
                status.text("message"),
                #"Internal error occurred: failed calling webhook "check.example.com": failed to call webhook: "#
                    + #"Post "https://checker.default.svc:443/check?timeout=5s": dial tcp \#(ip):443: connect: "#
                    + "connection refused")
        }
        // Secrets are not in its rules; once it answers, ConfigMaps pass too.
        XCTAssertNoThrow(
            try client.create(
                "/api/v1/namespaces/default/secrets",
                try YAMLCodec.decode("{apiVersion: v1, kind: Secret, metadata: {name: s}}")))
        answering.on.store(true, ordering: .relaxed)
        XCTAssertEqual(configMap("a").status, 201)
    }

    func testIgnoreAndAMissingServiceAsTheApiserverHasThem() throws {
        try apply(
            """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: checker}
            webhooks:
            - name: check.example.com
              rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*/*"]}]
              failurePolicy: Fail
              sideEffects: None
              clientConfig: {service: {name: checker, namespace: default, path: /check}}
            - name: optional.example.com
              rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*/*"]}]
              failurePolicy: Ignore
              sideEffects: None
              clientConfig: {service: {name: nothing, namespace: default}}
            """)
        let refused = configMap("a")
        XCTAssertEqual(refused.status, 500)
        XCTAssertTrue(
            String(decoding: refused.body, as: UTF8.self).contains(
                #"Post \"https://checker.default.svc:443/check?timeout=10s\": service \"checker\" not found"#),
            String(decoding: refused.body, as: UTF8.self))
    }
}

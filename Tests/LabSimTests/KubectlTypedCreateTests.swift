import Foundation
import TestSupport
import XCTest

/// kubectl's typed `create …` and `run` verbs, which send protobuf bodies (reference §0): what
/// they send has to come back from `kubectl get -o json` as the fields given on the command line.
final class KubectlTypedCreateTests: XCTestCase {
    /// The object `kubectl get ARGS -o json` prints.
    private func get(_ kube: KubeSimFixture, _ arguments: String...) throws -> [String: Any] {
        let json = try kube.kubectlOK(["get"] + arguments + ["-o", "json"])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], json)
    }

    private func decoded(_ base64: Any?) -> [UInt8]? {
        (base64 as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
    }

    /// The first container of a pod spec at `path` (`spec` of a Pod, `spec.template.spec` of a workload).
    private func container(_ object: [String: Any], _ path: [String]) -> [String: Any] {
        var current: Any? = object
        for key in path { current = (current as? [String: Any])?[key] }
        return ((current as? [String: Any])?["containers"] as? [[String: Any]])?.first ?? [:]
    }

    func testSecretConfigMapAndServiceAccountKeepWhatWasSent() throws {
        let kube = try KubeSimFixture()
        let blob: [UInt8] = [0x00, 0xFF, 0x01, 0x80, 0x7F]
        let file = kube.dir.file("blob.bin")
        FileManager.default.createFile(atPath: file, contents: Data(blob))
        XCTAssertEqual(
            try kube.kubectlOK([
                "create", "secret", "generic", "creds", "--from-literal=user=admin", "--from-literal=pass=s3cr=t!",
                "--from-file=blob=\(file)",
            ]), "secret/creds created\n")
        let secret = try get(kube, "secret", "creds")
        let data = secret["data"] as? [String: Any] ?? [:]
        XCTAssertEqual(decoded(data["user"]), Array("admin".utf8), "\(secret)")
        XCTAssertEqual(decoded(data["pass"]), Array("s3cr=t!".utf8), "\(secret)")
        XCTAssertEqual(decoded(data["blob"]), blob, "\(secret)")
        XCTAssertEqual(secret["type"] as? String, "Opaque")

        XCTAssertEqual(
            try kube.kubectlOK([
                "create", "configmap", "settings", "--from-literal=mode=fast", "--from-file=blob=\(file)",
            ]),
            "configmap/settings created\n")
        let map = try get(kube, "configmap", "settings")
        XCTAssertEqual(map["data"] as? [String: String], ["mode": "fast"], "\(map)")
        XCTAssertEqual(decoded((map["binaryData"] as? [String: Any])?["blob"]), blob, "\(map)")

        XCTAssertEqual(
            try kube.kubectlOK(["create", "serviceaccount", "robot", "-n", "kube-system"]),
            "serviceaccount/robot created\n")
        let robot = try get(kube, "serviceaccount", "robot", "-n", "kube-system")
        XCTAssertEqual((robot["metadata"] as? [String: Any])?["name"] as? String, "robot")
    }

    func testDeploymentRunAndJobKeepImageReplicasAndCommand() throws {
        let kube = try KubeSimFixture()
        XCTAssertEqual(
            try kube.kubectlOK(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80"]),
            "deployment.apps/web created\n")
        let deployment = try get(kube, "deployment", "web")
        let spec = deployment["spec"] as? [String: Any] ?? [:]
        XCTAssertEqual(spec["replicas"] as? Int, 3, "\(deployment)")
        XCTAssertEqual((spec["selector"] as? [String: Any])?["matchLabels"] as? [String: String], ["app": "web"])
        let web = container(deployment, ["spec", "template", "spec"])
        XCTAssertEqual(web["name"] as? String, "nginx", "\(deployment)")
        XCTAssertEqual(web["image"] as? String, "nginx:1.27", "\(deployment)")
        XCTAssertEqual((web["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int, 80, "\(deployment)")

        XCTAssertEqual(
            try kube.kubectlOK([
                "run", "tool", "--image=busybox:1.36", "--restart=Never", "--env=MODE=debug", "--labels=team=ops",
                "--", "sleep", "3600",
            ]), "pod/tool created\n")
        let pod = try get(kube, "pod", "tool")
        XCTAssertEqual((pod["metadata"] as? [String: Any])?["labels"] as? [String: String], ["team": "ops"])
        XCTAssertEqual((pod["spec"] as? [String: Any])?["restartPolicy"] as? String, "Never", "\(pod)")
        let tool = container(pod, ["spec"])
        XCTAssertEqual(tool["image"] as? String, "busybox:1.36", "\(pod)")
        XCTAssertEqual(tool["args"] as? [String], ["sleep", "3600"], "\(pod)")
        XCTAssertEqual(tool["env"] as? [[String: String]], [["name": "MODE", "value": "debug"]], "\(pod)")

        XCTAssertEqual(
            try kube.kubectlOK(["create", "job", "once", "--image=busybox:1.36", "--", "echo", "hi"]),
            "job.batch/once created\n")
        let job = try get(kube, "job", "once")
        XCTAssertEqual(
            ((job["spec"] as? [String: Any])?["template"] as? [String: Any]).flatMap {
                ($0["spec"] as? [String: Any])?["restartPolicy"] as? String
            }, "Never", "\(job)")
        XCTAssertEqual(container(job, ["spec", "template", "spec"])["command"] as? [String], ["echo", "hi"], "\(job)")
    }

    func testServiceKeepsItsPorts() throws {
        let kube = try KubeSimFixture()
        XCTAssertEqual(
            try kube.kubectlOK(["create", "service", "clusterip", "web", "--tcp=80:8080", "--tcp=8443:https"]),
            "service/web created\n")
        let service = try get(kube, "service", "web")
        let spec = service["spec"] as? [String: Any] ?? [:]
        XCTAssertEqual(spec["type"] as? String, "ClusterIP", "\(service)")
        XCTAssertEqual(spec["selector"] as? [String: String], ["app": "web"], "\(service)")
        XCTAssertNotNil(spec["clusterIP"] as? String, "\(service)")
        let ports = spec["ports"] as? [[String: Any]] ?? []
        XCTAssertEqual(ports.map { $0["name"] as? String }, ["80-8080", "8443-https"], "\(service)")
        XCTAssertEqual(ports.map { $0["port"] as? Int }, [80, 8443], "\(service)")
        XCTAssertEqual(ports.first?["targetPort"] as? Int, 8080, "\(service)")
        XCTAssertEqual(ports.last?["targetPort"] as? String, "https", "\(service)")
        XCTAssertEqual(ports.map { $0["protocol"] as? String }, ["TCP", "TCP"], "\(service)")
    }

    /// A kind the simulated server cannot read from protobuf answers 415 as a server without
    /// that decoder would, and kubectl reports it.
    func testAnUnreadableKindIsUnsupportedMediaType() throws {
        let kube = try KubeSimFixture()
        let result = try kube.kubectl(["create", "quota", "small", "--hard=pods=2"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(
            result.stderr.contains(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
            ), result.stderr)
    }
}

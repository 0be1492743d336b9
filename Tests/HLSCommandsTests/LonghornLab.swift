import Foundation
import HLSCore
import HLSFormats
import Kube
import TestSupport
import XCTest

@testable import LabSim

/// A simulated cluster with Longhorn's controllers, its nodes' root trees in a temporary
/// directory (prepared as `node harden` leaves them, or not), for `volume` tests.
///
/// Stand-ins until other branches land (the lead switches them at merge): the chart is
/// installed by applying what `SimulatedChart.longhorn` renders through the in-process client
/// (not by the simulated helm-controller), the longhorn-manager DaemonSet and the driver
/// deployer are marked available through their status subresource (not by the workloads controllers), and pods are created
/// already bound to a node (`spec.nodeName`; nothing schedules them yet).
final class LonghornLab {
    let roots: TemporaryDirectory
    let kube: KubeHarness
    /// Acts in the cluster as the components above would.
    let client: KubeInProcessClient
    /// The Kubernetes nodes.
    let nodes: [String]

    init(nodes: [String] = ["k3s-cp-01", "k3s-wk-01"]) throws {
        let roots = try TemporaryDirectory("hlsh-longhorn-nodes")
        self.roots = roots
        let path = roots.path
        let sim = KubeAPISimulator(
            options: KubeAPISimulator.Options(), controllers: Longhorn.controllers(root: { path + "/" + $0 }))
        kube = try KubeHarness(sim: sim)
        client = try XCTUnwrap(sim.inProcessClient(manager: "helm-controller"))
        self.nodes = nodes
        for (index, node) in nodes.enumerated() {
            try prepare(node)
            try sim.registerNode(
                KubeNodeRegistration(
                    name: node, internalIP: "192.168.10.\(21 + index)", controlPlane: index == 0,
                    version: "v1.33.4+k3s1"))
        }
    }

    /// Lays out a node's root as `node harden` leaves it, on a 50 GiB OS disk mounted at `/`:
    /// open-iscsi, nfs-common and cryptsetup installed, iscsid running, iscsi_tcp and dm_crypt
    /// loaded; multipathd (when `multipathd`) running with the hardening's blacklist of `sd`
    /// devices, or without it (`blacklist` false).
    func prepare(
        _ node: String, iscsid: Bool = true, packages: Bool = true, modules: Bool = true, multipathd: Bool = false,
        blacklist: Bool = true
    ) throws {
        let root = roots.file(node)
        try? FileManager.default.removeItem(atPath: root)
        var files: [String] = []
        if packages { files += ["open-iscsi", "nfs-common", "cryptsetup"].map { "var/lib/hlsh-sim/dpkg/" + $0 } }
        if iscsid { files.append("var/lib/hlsh-sim/systemd/iscsid.service.active") }
        if modules { files += ["sys/module/iscsi_tcp/.loaded", "sys/module/dm_crypt/.loaded"] }
        if multipathd { files.append("var/lib/hlsh-sim/systemd/multipathd.service.active") }
        for file in files {
            try FileManager.default.createDirectory(
                atPath: root + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: root + "/" + file, contents: Data())
        }
        // The OS disk under /, which holds /var/lib/longhorn here: Longhorn's disk is Ready on it.
        for (file, text) in [
            ("proc/mounts", "/dev/sda1 / ext4 rw,relatime 0 0\n"), ("sys/block/sda/size", "\((50 << 30) / 512)\n"),
        ] {
            try FileManager.default.createDirectory(
                atPath: root + "/" + (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        if multipathd && blacklist {
            try FileManager.default.createDirectory(
                atPath: root + "/etc/multipath/conf.d", withIntermediateDirectories: true)
            try "blacklist {\n    devnode \"^sd[a-z0-9]+\"\n}\n".write(
                toFile: root + "/etc/multipath/conf.d/hlsh-longhorn.conf", atomically: true, encoding: .utf8)
        }
    }

    /// Installs the chart with `values` (YAML) into longhorn-system, and marks the manager available.
    /// Returns once the manager has a Longhorn Node for each node (as one waits for the chart's
    /// pods after an install), so a replica count is checked against them all.
    func install(values: String = "{}") throws {
        try Self.install(values: values, client: client)
        XCTAssertTrue(
            eventually { try nodes.allSatisfy { try nodeConditions($0).contains { $0.hasPrefix("Ready=True") } } },
            "Longhorn never had a Ready node for each of \(nodes)")
    }

    /// Installs the chart through `client` (see the type's note), and marks the manager available.
    static func install(values: String = "{}", client: KubeInProcessClient) throws {
        try client.create(
            "/api/v1/namespaces",
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Namespace")),
                ("metadata", .object([("name", .string("longhorn-system"))])),
            ]))
        let release = SimulatedChartRelease(
            name: "longhorn", namespace: "longhorn-system", version: SimulatedChart.longhorn.version,
            values: try YAMLCodec.decode(values))
        for object in try SimulatedChart.longhorn.render(release) {
            try client.apply(Self.path(of: object), object)
        }
        try client.mergePatch(
            "/apis/apps/v1/namespaces/longhorn-system/daemonsets/longhorn-manager",
            .object([("status", .object([("numberAvailable", .int(1)), ("numberReady", .int(1))]))]),
            subresource: "status")
        try client.mergePatch(
            "/apis/apps/v1/namespaces/longhorn-system/deployments/longhorn-driver-deployer",
            .object([("status", .object([("availableReplicas", .int(1)), ("readyReplicas", .int(1))]))]),
            subresource: "status")
    }

    /// Creates a namespace and a claim of the longhorn StorageClass in it.
    func claim(_ name: String, namespace: String = "apps", size: String = "2Gi") throws {
        try kube.create(Self.claimYAML(name, namespace: namespace, size: size))
    }

    /// A pod using `claim`, already bound to `node`.
    func runPod(_ name: String, claim: String, on node: String, namespace: String = "apps") throws {
        try kube.create(Self.podYAML(name, claim: claim, on: node, namespace: namespace))
    }

    /// Longhorn with two replicas per volume (they fit the two nodes), the claim `data` used by a
    /// pod on k3s-cp-01, once its volume is attached and healthy; the Longhorn volume's name.
    func healthyVolume(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try install(values: "persistence:\n  defaultClassReplicaCount: 2\n")
        try claim("data")
        try runPod("web", claim: "data", on: "k3s-cp-01")
        XCTAssertTrue(
            eventually { field("robustness") == "healthy" }, "the volume turns healthy", file: file, line: line)
        return try XCTUnwrap(field("volume"), file: file, line: line)
    }

    /// A namespace and a claim of the longhorn StorageClass in it, as YAML.
    static func claimYAML(_ name: String, namespace: String = "apps", size: String = "2Gi") -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: \(namespace)
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: longhorn
          resources:
            requests:
              storage: \(size)
        """
    }

    /// A pod using `claim`, bound to `node`, as YAML.
    static func podYAML(_ name: String, claim: String, on node: String, namespace: String = "apps") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          nodeName: \(node)
          containers:
          - name: app
            image: nginx
          volumes:
          - name: data
            persistentVolumeClaim:
              claimName: \(claim)
        """
    }

    func deletePod(_ name: String, namespace: String = "apps") throws {
        try client.delete("/api/v1/namespaces/\(namespace)/pods/\(name)")
    }

    /// The object's API path, from its apiVersion, kind and name (the chart's kinds only).
    static func path(of object: Document) -> String {
        let plural =
            switch object.text("kind") ?? "" {
            case "CustomResourceDefinition": "customresourcedefinitions"
            case "ServiceAccount": "serviceaccounts"
            case "ConfigMap": "configmaps"
            case "DaemonSet": "daemonsets"
            case "Deployment": "deployments"
            default: (object.text("kind") ?? "").lowercased() + "s"
            }
        let apiVersion = object.text("apiVersion") ?? "v1"
        let base = apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
        let namespace = object.text("metadata", "namespace").map { "/namespaces/\($0)" } ?? ""
        return "\(base)\(namespace)/\(plural)/\(object.text("metadata", "name") ?? "")"
    }

    /// Whether `condition` turns true within `seconds`.
    func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) -> Bool {
        Self.eventually(seconds, condition)
    }

    static func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if (try? condition()) == true { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }

    /// `volume list -A -o json` decoded.
    func volumes() throws -> [[String: Any]] {
        let result = kube.run("volume list -A -o json")
        guard result.status == 0 else { throw HLSError(.failed, "volume list failed: \(result.err)") }
        return try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]] ?? []
    }

    /// The Longhorn Node's conditions as `TYPE=STATUS (REASON): MESSAGE`.
    func nodeConditions(_ node: String) throws -> [String] {
        let resource = KubeResource(
            group: "longhorn.io", version: "v1beta2", name: "nodes", kind: "Node", namespaced: true)
        let object = try kube.client.get(resource, node, namespace: "longhorn-system")
        guard case .array(let conditions)? = object["status"]?["conditions"] else { return [] }
        return conditions.map { condition in
            let text = { (key: String) -> String in
                if case .string(let value)? = condition[key] { return value }
                return ""
            }
            return "\(text("type"))=\(text("status")) (\(text("reason"))): \(text("message"))"
        }
    }

    /// What `volume list -A` shows, for a failure's message.
    var dump: String { kube.run("volume list -A -o json").out }

    /// The first volume's field `key` as text.
    func field(_ key: String) -> String? {
        guard let value = try? volumes().first?[key] else { return nil }
        return "\(value)"
    }
}

import Foundation
import HLSCommands
import HLSCore
import HLSFormats
import Kube
import LabSim
import TestSupport
import XCTest

/// k3s's ServiceLB in the simulated cluster: a LoadBalancer Service gets the Ready nodes'
/// addresses; once the server's config.yaml disables servicelb, a new one stays `<pending>` and
/// nothing follows the nodes, until it is enabled again.
final class ServiceLBTests: XCTestCase {
    func testALoadBalancerServiceGetsTheNodesAddressesUnlessServiceLBIsDisabled() throws {
        let lab = try LabHarness()
        lab.installCluster()
        let web = try lab.home.write("web.yaml", Self.service("web"))
        let applied = lab.run("kube apply -f \(web)")
        XCTAssertEqual(applied.status, 0, applied.err)
        _ = Self.eventually { (try? Self.ingress(lab, "web"))?.count == 2 }
        XCTAssertEqual(
            try Self.ingress(lab, "web"),
            [["ip": "192.168.10.21", "ipMode": "VIP"], ["ip": "192.168.10.22", "ipMode": "VIP"]])
        let table = lab.run("kube get svc web | get external-ip | to json --compact")
        XCTAssertEqual(table.out, #"["192.168.10.21,192.168.10.22"]"# + "\n", table.err)

        // As an operator would: servicelb disabled in the server's config, k3s restarted.
        let disable = lab.run(
            #"node run k3s-cp-01 "sudo sed -i '/^  - traefik$/a\\  - servicelb' /etc/rancher/k3s/config.yaml "#
                + #"&& sudo systemctl restart k3s" | get exit | to json --compact"#)
        XCTAssertEqual(disable.out, "[0]\n", disable.err)
        let db = try lab.home.write("db.yaml", Self.service("db"))
        XCTAssertEqual(lab.run("kube apply -f \(db)").status, 0)
        // Something ServiceLB acts on happens after db exists: the worker goes NotReady (ServiceLB
        // follows the nodes). Running, it would drop the worker from web and give db the server.
        let stop = lab.run(#"node run k3s-wk-01 "sudo systemctl stop k3s-agent" | get exit | to json --compact"#)
        XCTAssertEqual(stop.out, "[0]\n", stop.err)
        XCTAssertTrue(
            Self.eventually {
                lab.run("kube get node k3s-wk-01 | get status | to json --compact").out == #"["NotReady"]"# + "\n"
            },
            "the worker never went NotReady")
        // kubectl's table (the simulated API's Service columns) says the same as hlsh's.
        let kubectl = try runProcess(
            try Kubectl.path(),
            ["--kubeconfig", lab.lab.kubeconfigPath, "--cache-dir", lab.home.file("kube-cache"), "get", "svc"],
            environment: ["HOME": lab.home.path, "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(kubectl.status, 0, kubectl.stderr)
        let rows = kubectl.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rows.first?.prefix(5), ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)"])
        XCTAssertEqual(rows.first { $0.first == "web" }?[3], "192.168.10.21,192.168.10.22", kubectl.stdout)
        XCTAssertEqual(rows.first { $0.first == "db" }?[3], "<pending>", kubectl.stdout)
        let pending = lab.run("kube get svc db | get external-ip | to json --compact")
        XCTAssertEqual(pending.out, #"["<pending>"]"# + "\n", pending.err)
        XCTAssertEqual(try Self.ingress(lab, "db"), [])

        // Enabled again: both Services get the one Ready node.
        let enable = lab.run(
            #"node run k3s-cp-01 "sudo sed -i '/^  - servicelb$/d' /etc/rancher/k3s/config.yaml "#
                + #"&& sudo systemctl restart k3s" | get exit | to json --compact"#)
        XCTAssertEqual(enable.out, "[0]\n", enable.err)
        XCTAssertTrue(
            Self.eventually {
                (try? Self.ingress(lab, "db")) == [["ip": "192.168.10.21", "ipMode": "VIP"]]
                    && (try? Self.ingress(lab, "web")) == [["ip": "192.168.10.21", "ipMode": "VIP"]]
            }, "ServiceLB, enabled again, never gave db and web the server's address")
    }

    /// Whether `condition` turns true within 10 s.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        repeat {
            if condition() { return true }
            usleep(100_000)
        } while Date() < deadline
        return false
    }

    /// The Service's `status.loadBalancer.ingress`, as `kube get -o json` gives it.
    static func ingress(_ lab: LabHarness, _ name: String) throws -> [[String: String]] {
        let json = lab.run("kube get svc \(name) -o json")
        XCTAssertEqual(json.status, 0, json.err)
        let service = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let status = service?["status"] as? [String: Any]
        return (status?["loadBalancer"] as? [String: Any])?["ingress"] as? [[String: String]] ?? []
    }

    static func service(_ name: String) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: default
        spec:
          type: LoadBalancer
          selector:
            app: \(name)
          ports:
            - port: 80
              targetPort: 8080
        """
    }
}

import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// Services in the simulated API: node ports as the apiserver allocates them, and the Service
/// columns of its Table (`printService` in `pkg/printers/internalversion/printers.go`).
extension KubeStoreTests {
    private func service(_ name: String, _ spec: String) -> String {
        #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#
    }

    /// The EXTERNAL-IP and PORT(S) cells of each row of the Services Table, by name.
    private func serviceCells() throws -> [String: [String]] {
        let request = KubeHTTPRequest(
            method: "GET", path: "/api/v1/namespaces/default/services", query: [],
            headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")], body: [],
            certificateUser: admin)
        guard case .complete(let response) = api.handle(request) else { return [:] }
        let table = try JSONCodec.decode(String(decoding: response.body, as: UTF8.self))
        let names = (table["columnDefinitions"]?.items ?? []).compactMap { $0.text("name") }
        var cells: [String: [String]] = [:]
        for row in table["rows"]?.items ?? [] {
            let values = (row["cells"]?.items ?? []).map { $0.scalarText ?? "" }
            guard let name = names.firstIndex(of: "Name"), let ip = names.firstIndex(of: "External-IP"),
                let ports = names.firstIndex(of: "Port(s)")
            else { continue }
            cells[values[name]] = [values[ip], values[ports]]
        }
        return cells
    }

    private func nodePort(_ name: String) throws -> Int? {
        let ports = try call("GET", "/api/v1/namespaces/default/services/\(name)").body.at(["spec", "ports"])?.items
        if case .int(let port)? = ports?.first?["nodePort"] { return port }
        return nil
    }

    func testNodePortsAreAllocatedUniqueKeptAndValidated() throws {
        let ports = #""ports":[{"name":"http","port":80}]"#
        try call(
            "POST", "/api/v1/namespaces/default/services", body: service("web", #"{"type":"LoadBalancer",\#(ports)}"#))
        try call("POST", "/api/v1/namespaces/default/services", body: service("np", #"{"type":"NodePort",\#(ports)}"#))
        try call("POST", "/api/v1/namespaces/default/services", body: service("plain", #"{\#(ports)}"#))
        let web = try XCTUnwrap(try nodePort("web"))
        let np = try XCTUnwrap(try nodePort("np"))
        XCTAssertTrue((30000...32767).contains(web) && (30000...32767).contains(np), "\(web) \(np)")
        XCTAssertNotEqual(web, np)
        XCTAssertNil(try nodePort("plain"), "a ClusterIP Service has no node port")

        // Kept on update: a patch, and a PUT that leaves it out.
        try call(
            "PATCH", "/api/v1/namespaces/default/services/web", body: #"{"metadata":{"labels":{"a":"b"}}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(try nodePort("web"), web)
        var put = try call("GET", "/api/v1/namespaces/default/services/web").body
        put.set(["spec", "ports"], .array([.object([("name", .string("http")), ("port", .int(80))])]))
        XCTAssertEqual(
            try call("PUT", "/api/v1/namespaces/default/services/web", body: JSONCodec.encode(put)).status, 200)
        XCTAssertEqual(try nodePort("web"), web)

        // An explicit one: taken, out of range, or free.
        let rejected = { (name: String, port: Int) throws -> String in
            let answer = try self.call(
                "POST", "/api/v1/namespaces/default/services",
                body: self.service(name, #"{"type":"NodePort","ports":[{"port":80,"nodePort":\#(port)}]}"#))
            return "\(answer.status) \(answer.body.text("message") ?? "")"
        }
        XCTAssertEqual(
            try rejected("dup", web),
            #"422 Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: \#(web): provided port is already allocated"#
        )
        XCTAssertEqual(
            try rejected("low", 80),
            #"422 Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"#
        )
        let free = web == 32000 ? 32001 : 32000
        try call(
            "POST", "/api/v1/namespaces/default/services",
            body: service("fixed", #"{"type":"NodePort","ports":[{"port":80,"nodePort":\#(free)}]}"#))
        XCTAssertEqual(try nodePort("fixed"), free)

        // Back to ClusterIP: the node port goes.
        try call(
            "PATCH", "/api/v1/namespaces/default/services/np", body: #"{"spec":{"type":"ClusterIP"}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertNil(try nodePort("np"))
    }

    func testServiceColumnsAreTheAPIServers() throws {
        let ports = #""ports":[{"port":80}]"#
        try call(
            "POST", "/api/v1/namespaces/default/services",
            body: service("lb", #"{"type":"LoadBalancer","externalIPs":["10.0.0.9"],\#(ports)}"#))
        try call(
            "PATCH", "/api/v1/namespaces/default/services/lb/status",
            body: #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.168.10.22"},{"ip":"192.168.10.21"}]}}}"#,
            contentType: "application/merge-patch+json")
        try call(
            "POST", "/api/v1/namespaces/default/services",
            body: service("db", #"{"type":"ExternalName","externalName":"db.example.com"}"#))
        try call("POST", "/api/v1/namespaces/default/services", body: service("cip", #"{\#(ports)}"#))
        try call(
            "PATCH", "/api/v1/namespaces/default/services/cip/status",
            body: #"{"status":{"loadBalancer":{"ingress":[{"ip":"192.168.10.21"}]}}}"#,
            contentType: "application/merge-patch+json")
        let cells = try serviceCells()
        let lbPort = try XCTUnwrap(try nodePort("lb"))
        XCTAssertEqual(cells["lb"], ["192.168.10.21,192.168.10.22,10.0.0.9", "80:\(lbPort)/TCP"])
        XCTAssertEqual(cells["db"], ["db.example.com", "<none>"])
        XCTAssertEqual(cells["cip"], ["<none>", "80/TCP"], "a ClusterIP Service shows no load balancer")
    }
}

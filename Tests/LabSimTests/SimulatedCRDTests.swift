import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// `SimulatedCRD`, the CustomResourceDefinition the simulated charts (Longhorn's,
/// cert-manager's) install: the API serves its kind at its scope, with its printer columns, the
/// wide ones marked, and Age last.
extension KubeStoreTests {
    func testSimulatedCRDIsServedWithItsColumns() throws {
        let crd = SimulatedCRD(
            group: "example.io", version: "v1", kind: "Widget", plural: "widgets", shortNames: ["wg"],
            categories: ["examples"], namespaced: false, labels: ["app": "widgets"],
            columns: [
                .init(name: "Ready", jsonPath: #".status.conditions[?(@.type == "Ready")].status"#),
                .init(name: "Size", type: "integer", jsonPath: ".spec.size", description: "How big", priority: 1),
            ])
        let created = try call(
            "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: JSONCodec.encode(crd.document))
        XCTAssertEqual(created.status, 201, "\(created.body)")
        XCTAssertEqual(created.body.text("metadata", "name"), "widgets.example.io")
        XCTAssertEqual(created.body.text("metadata", "labels", "app"), "widgets")
        let widget = #"""
            {"apiVersion":"example.io/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3},
             "status":{"conditions":[{"type":"Ready","status":"True"}]}}
            """#
        XCTAssertEqual(try call("POST", "/apis/example.io/v1/widgets", body: widget).status, 201)
        // The status subresource: a create leaves status out, a write to /status sets it.
        XCTAssertEqual(try call("GET", "/apis/example.io/v1/widgets/w1").body["status"], nil)
        let status = #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#
        XCTAssertEqual(
            try call(
                "PATCH", "/apis/example.io/v1/widgets/w1/status", body: status,
                contentType: "application/merge-patch+json"
            ).status, 200)

        let request = KubeHTTPRequest(
            method: "GET", path: "/apis/example.io/v1/widgets", query: [],
            headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")], body: [],
            certificateUser: admin)
        guard case .complete(let response) = api.handle(request) else { return XCTFail("streamed") }
        let table = try JSONCodec.decode(String(decoding: response.body, as: UTF8.self))
        let columns = (table["columnDefinitions"]?.items ?? []).map {
            "\($0.text("name") ?? "")/\($0.at(["priority"]).flatMap(\.scalarText) ?? "0")"
        }
        XCTAssertEqual(columns, ["Name/0", "Ready/0", "Size/1", "Age/0"])
        let cells = (table["rows"]?.items.first?["cells"]?.items ?? []).map { $0.scalarText ?? "" }
        XCTAssertEqual(Array(cells.prefix(3)), ["w1", "True", "3"])

        let discovery = try call("GET", "/apis/example.io/v1").body
        let resource = discovery["resources"]?.items.first { $0.text("name") == "widgets" }
        XCTAssertEqual(resource?.at(["namespaced"]), .bool(false))
        XCTAssertEqual(resource?.at(["shortNames"]), .array([.string("wg")]))
        XCTAssertEqual(resource?.at(["categories"]), .array([.string("examples")]))
    }
}

import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// Secrets in the simulated API: `stringData` is merged into `data` on every write and never
/// read back, as the apiserver converts it (a SOPS-decrypted Secret Flux applies has only it).
extension KubeStoreTests {
    func testStringDataIsMergedIntoDataOnCreateAndUpdate() throws {
        let path = "/api/v1/namespaces/default/secrets"
        let created = try call(
            "POST", path,
            body: #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"token"},"data":{"kept":"YQ=="},"#
                + #""stringData":{"api-token":"abc"}}"#)
        XCTAssertEqual(created.status, 201, "\(created.body)")
        let read = try call("GET", path + "/token").body
        XCTAssertNil(read["stringData"])
        XCTAssertEqual(read.text("data", "api-token"), "YWJj")
        XCTAssertEqual(read.text("data", "kept"), "YQ==")
        let updated = try call(
            "PATCH", path + "/token", body: #"{"stringData":{"api-token":"xyz"}}"#,
            contentType: "application/merge-patch+json")
        XCTAssertEqual(updated.status, 200, "\(updated.body)")
        XCTAssertNil(updated.body["stringData"])
        XCTAssertEqual(updated.body.text("data", "api-token"), "eHl6")
    }
}

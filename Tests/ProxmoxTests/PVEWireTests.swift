import Foundation
import HLSCore
import HLSFormats
import HLSTransport
import TestSupport
import XCTest

@testable import Proxmox

/// What reaches a server, seen by an independent one (Python's http.server echoing each request).
final class PVEWireTests: XCTestCase {
    private var server: HTTPServerFixture!

    override func setUpWithError() throws {
        server = try HTTPServerFixture()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func client(prefix: String) throws -> PVEClient {
        var settings = PVEConnectionSettings(
            endpoint: try PVEEndpoint(parsing: server.url(prefix)),
            credentials: .apiToken(try PVEAPIToken(parsing: "root@pam!hlsh=5e7e50b1-35b9-60b0-8c1a-3a5d7f1e2b40")),
            retry: RetryPolicy(baseDelay: .milliseconds(10)))
        settings.timeouts = HTTPTimeouts(connect: .seconds(5), total: .seconds(10))
        return PVEClient(settings: settings)
    }

    /// Sends through the client's own request path and returns what the echo server saw.
    private func echo(
        _ method: String, _ path: String, query: [(String, String)] = [], form: [(String, String)] = []
    ) throws -> Document {
        let client = try client(prefix: "/echo")
        let headers = try client.authHeaders(method: method, fresh: false, cancellation: .never)
        let response = try client.http.send(client.request(method, path, query: query, form: form, headers: headers))
        XCTAssertEqual(response.status, 200)
        return try JSONCodec.decode(response.bodyText)
    }

    func testDeleteSendsItsParametersInTheQueryAndNoBody() throws {
        let seen = try echo(
            "DELETE", "/nodes/pve1/qemu/101", query: [("purge", "1"), ("destroy-unreferenced-disks", "1")])
        XCTAssertEqual(seen["method"], .string("DELETE"))
        XCTAssertEqual(
            seen["path"], .string("/echo/api2/json/nodes/pve1/qemu/101?purge=1&destroy-unreferenced-disks=1"))
        XCTAssertEqual(seen["body"], .string(""))
        XCTAssertNil(seen["headers"]?["Content-Type"])
        XCTAssertEqual(
            seen["headers"]?["Authorization"], .string("PVEAPIToken=root@pam!hlsh=5e7e50b1-35b9-60b0-8c1a-3a5d7f1e2b40")
        )
    }

    func testGetSendsNoBody() throws {
        let seen = try echo("GET", "/cluster/resources", query: [("type", "vm")])
        XCTAssertEqual(seen["path"], .string("/echo/api2/json/cluster/resources?type=vm"))
        XCTAssertEqual(seen["body"], .string(""))
        XCTAssertNil(seen["headers"]?["Content-Length"])
    }

    func testPutSendsTheSSHKeysDoublyEncoded() throws {
        let value = PVESSHKeys.encode([PVEFormEncodingTests.laptopKey])
        let seen = try echo("PUT", "/nodes/pve1/qemu/101/config", form: [("ciuser", "ubuntu"), ("sshkeys", value)])
        XCTAssertEqual(seen["headers"]?["Content-Type"], .string("application/x-www-form-urlencoded"))
        XCTAssertEqual(
            seen["body"],
            .string(
                "ciuser=ubuntu&sshkeys=ssh-ed25519%2520AAAAC3NzaC1lZDI1NTE5AAAAIG%252BoNt%252BboyIraaK%252BnqU7dprUyuQ4Yye4lPkvEZwEKoLN%2520admin%2540laptop"
            ))
    }

    func testA401ReasonPhraseArrivesThroughCurl() throws {
        let client = try client(prefix: "/status/401")
        let error = assertHLSError(try client.get("/nodes", query: [("reason", "No ticket")]))
        XCTAssertEqual(error?.message, "No ticket")
        XCTAssertEqual(error?.place, .request(method: "GET", url: "/nodes"))
        XCTAssertTrue(error?.hint?.contains("API token") ?? false)
    }

    func testA596IsRetriedThenReported() throws {
        let client = try client(prefix: "/status/596")
        let error = assertHLSError(try client.get("/nodes", query: [("reason", "Connection refused")]))
        XCTAssertEqual(error?.message, "Connection refused")
        XCTAssertTrue(error?.hint?.contains("transient") ?? false)
    }
}

import HLSCore
import HLSTransport
import XCTest

@testable import Proxmox

/// Canned responses as PVE sends them, through the one choke point.
final class PVEErrorMappingTests: XCTestCase {
    private func response(_ status: Int, _ reason: String, _ body: String = "") -> HTTPResponse {
        HTTPResponse(status: status, reason: reason, body: Array(body.utf8))
    }

    func test400NamesEveryParameterError() {
        let error = PVEErrorMapping.error(
            for: response(
                400, "Parameter verification failed.",
                #"{"data":null,"errors":{"memory":"value must be at least 16\n","sshkeys":"invalid format - invalid urlencoded string\n"},"message":"Parameter verification failed.\n"}"#
            ),
            method: "PUT", path: "/nodes/pve1/qemu/101/config")
        XCTAssertEqual(error.kind, .failed)
        XCTAssertEqual(
            error.message,
            "Parameter verification failed. memory: value must be at least 16; sshkeys: invalid format - invalid urlencoded string"
        )
        XCTAssertEqual(error.place, .request(method: "PUT", url: "/nodes/pve1/qemu/101/config"))
    }

    func test400WithAMultiLineFieldErrorStaysOnOneLine() {
        // PVE 9 checks `memory` as a property string and explains each sub-key on its own line.
        let error = PVEErrorMapping.error(
            for: response(
                400, "Parameter verification failed.",
                #"{"data":null,"errors":{"memory":"invalid format - format error\nmemory.current: value must have a minimum value of 16\n"},"message":"Parameter verification failed.\n"}"#
            ),
            method: "PUT", path: "/nodes/pve1/qemu/101/config")
        XCTAssertEqual(
            error.message,
            "Parameter verification failed. memory: invalid format - format error; "
                + "memory.current: value must have a minimum value of 16")
    }

    func test401TakesTheReasonPhraseOfAnEmptyBodyAndHintsAtTheToken() {
        let error = PVEErrorMapping.error(
            for: response(401, "authentication failure"), method: "GET", path: "/nodes", usingToken: true)
        XCTAssertEqual(error.message, "authentication failure")
        XCTAssertTrue(error.hint?.contains("PROXMOX_VE_API_TOKEN") ?? false, error.description)
        XCTAssertTrue(error.hint?.contains("USER@REALM!TOKENID=SECRET") ?? false, error.description)
        let ticket = PVEErrorMapping.error(
            for: response(401, "No ticket"), method: "POST", path: "/nodes/pve1/qemu/9000/clone", usingToken: false)
        XCTAssertEqual(ticket.message, "No ticket")
        XCTAssertTrue(ticket.hint?.contains("PROXMOX_VE_PASSWORD") ?? false)
    }

    func test403ExplainsPrivilegeSeparation() {
        let error = PVEErrorMapping.error(
            for: response(
                403, "Permission check failed (/vms/101, VM.Config.Disk)",
                #"{"data":null,"message":"Permission check failed (/vms/101, VM.Config.Disk)\n"}"#),
            method: "PUT", path: "/nodes/pve1/qemu/101/resize")
        XCTAssertEqual(error.message, "Permission check failed (/vms/101, VM.Config.Disk)")
        XCTAssertTrue(error.hint?.contains("privilege separation") ?? false)
    }

    func test500UsesTheMessageOrTheReasonPhrase() {
        let withBody = PVEErrorMapping.error(
            for: response(
                500, "VM 101 is running - destroy failed",
                #"{"data":null,"message":"VM 101 is running - destroy failed\n"}"#),
            method: "DELETE", path: "/nodes/pve1/qemu/101?purge=1&destroy-unreferenced-disks=1")
        XCTAssertEqual(withBody.message, "VM 101 is running - destroy failed")
        XCTAssertEqual(withBody.place, .request(method: "DELETE", url: "/nodes/pve1/qemu/101"), "no query string")
        // PVE before 8.3: the text only in the status line.
        let reasonOnly = PVEErrorMapping.error(
            for: response(500, "unable to find configuration file for VM 999 on node 'pve1'", #"{"data":null}"#),
            method: "GET", path: "/nodes/pve1/qemu/999/config")
        XCTAssertEqual(reasonOnly.message, "unable to find configuration file for VM 999 on node 'pve1'")
    }

    func test596IsAProxyFailureWithAHint() {
        let error = PVEErrorMapping.error(
            for: response(596, "Connection timed out"), method: "GET", path: "/nodes/pve2/qemu/101/status/current")
        XCTAssertEqual(error.message, "Connection timed out")
        XCTAssertTrue(error.hint?.contains("transient") ?? false)
        XCTAssertTrue(RetryPolicy.default.retryableStatuses.isSuperset(of: Set(595...599)))
        XCTAssertFalse(RetryPolicy.default.retryableStatuses.contains(500), "500 is an ordinary API error")
    }

    func testAnErrorNeverShowsSecrets() {
        let error = PVEErrorMapping.error(
            for: response(500, "oops", #"{"message":"bad ticket PVE:root@pam:66B0C0DE::c2lnbmF0dXJl"}"#),
            method: "GET", path: "/access/ticket?password=hunter2")
        XCTAssertFalse(error.description.contains("hunter2"))
        XCTAssertEqual(error.place, .request(method: "GET", url: "/access/ticket"))
    }

    func testTheAnswerOfASuccessIsItsData() throws {
        let client = PVEClient(
            settings: PVEConnectionSettings(
                endpoint: PVEEndpoint(host: "pve1"), credentials: .apiToken(try PVEAPIToken(parsing: "a@pve!b=c"))))
        guard
            case .data(let data) = try client.read(
                response(200, "OK", #"{"data":"101"}"#), method: "GET", path: "/cluster/nextid")
        else { return XCTFail("not data") }
        XCTAssertEqual(data.pveInt, 101)
        XCTAssertThrowsError(try client.read(response(200, "OK", "<html>"), method: "GET", path: "/nodes")) { error in
            XCTAssertTrue((error as? HLSError)?.message.contains("not JSON") ?? false)
        }
    }
}

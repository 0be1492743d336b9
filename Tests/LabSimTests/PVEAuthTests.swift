import Foundation
import LabSim
import XCTest

/// Authentication as pveproxy does it: tokens without CSRF, tickets with CSRF on writes,
/// 401 reasons only in the status line with an empty body, and the 401 delay.
final class PVEAuthTests: XCTestCase {
    func testTokenIsAcceptedAndNextIDIsAString() throws {
        let sim = try PVESimFixture()
        let reply = try sim.request("GET", "/cluster/nextid")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.body, #"{"data":"100"}"#)
        XCTAssertEqual(reply.headers["content-type"], "application/json;charset=UTF-8")
    }

    func testWrongTokenSecretIs401WithReasonOnlyInStatusLine() throws {
        let sim = try PVESimFixture()
        let reply = try sim.request("GET", "/nodes", auth: .token("root@pam!hlsh=wrong-secret"))
        XCTAssertEqual(reply.status, 401)
        XCTAssertEqual(reply.reason, "Authentication failed!")
        XCTAssertEqual(reply.body, "")
    }

    func testOlderPVEShowsTheVerifierReason() throws {
        let sim = try PVESimFixture { $0.authFailureWording = .detailed }
        XCTAssertEqual(
            try sim.request("GET", "/nodes", auth: .token("root@pam!hlsh=wrong")).reason, "invalid token value!")
        XCTAssertEqual(
            try sim.request("GET", "/nodes", auth: .token("root@pam!nope=x")).reason,
            "no such token 'nope' for user 'root@pam'")
        XCTAssertEqual(
            try sim.request("GET", "/nodes", auth: .ticket(ticket: "PVE:root@pam:00000000::AAAA", csrf: nil)).reason,
            "permission denied - invalid PVE ticket")
    }

    func testNoCredentialsIsNoTicket() throws {
        let sim = try PVESimFixture()
        let reply = try sim.request("GET", "/cluster/resources", auth: .none)
        XCTAssertEqual(reply.status, 401)
        XCTAssertEqual(reply.reason, "No ticket")
        XCTAssertEqual(reply.body, "")
        XCTAssertEqual(reply.headers["connection"], "close")
    }

    func testUnauthorizedAnswersAreDelayed() throws {
        let sim = try PVESimFixture { $0.timings.unauthorizedDelay = 0.6 }
        let reply = try sim.request("GET", "/nodes", auth: .none)
        XCTAssertEqual(reply.status, 401)
        XCTAssertGreaterThanOrEqual(reply.elapsed, 0.55)
        let ok = try sim.request("GET", "/nodes")
        XCTAssertEqual(ok.status, 200)
        XCTAssertLessThan(ok.elapsed, 0.5)
    }

    func testTicketNeedsCSRFTokenForWritesOnly() throws {
        let sim = try PVESimFixture()
        let (ticket, csrf) = try sim.login()
        XCTAssertTrue(ticket.hasPrefix("PVE:root@pam:"), ticket)

        let read = try sim.request("GET", "/nodes", auth: .ticket(ticket: ticket, csrf: nil))
        XCTAssertEqual(read.status, 200)

        let write = try sim.request(
            "PUT", "/nodes/pve1/qemu/9000/config", form: [("description", "x")],
            auth: .ticket(ticket: ticket, csrf: nil))
        XCTAssertEqual(write.status, 401)
        XCTAssertEqual(write.reason, "Permission denied - invalid csrf token")
        XCTAssertEqual(write.body, "")

        let withCSRF = try sim.request(
            "PUT", "/nodes/pve1/qemu/9000/config", form: [("description", "golden image")],
            auth: .ticket(ticket: ticket, csrf: csrf))
        XCTAssertEqual(withCSRF.status, 200, withCSRF.body)
        XCTAssertEqual(withCSRF.body, #"{"data":null}"#)
    }

    func testLoginAnswerShapeRenewalAndFailure() throws {
        let sim = try PVESimFixture()
        let login = try sim.request(
            "POST", "/access/ticket",
            form: [("username", "root"), ("realm", "pam"), ("password", PVESimFixture.password)],
            auth: .none)
        XCTAssertEqual(login.status, 200)
        let data = try XCTUnwrap(login.dataObject)
        XCTAssertEqual(data["username"] as? String, "root@pam")
        XCTAssertNotNil(data["cap"] as? [String: Any])
        XCTAssertNotNil(data["CSRFPreventionToken"] as? String)
        let ticket = try XCTUnwrap(data["ticket"] as? String)

        let renewed = try sim.request(
            "POST", "/access/ticket", form: [("username", "root@pam"), ("password", ticket)], auth: .none)
        XCTAssertEqual(renewed.status, 200)
        XCTAssertNotNil(renewed.dataObject?["ticket"] as? String)

        let wrong = try sim.request(
            "POST", "/access/ticket", form: [("username", "root@pam"), ("password", "nope")], auth: .none)
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(wrong.reason, "authentication failure")
    }

    func testTicketsExpire() throws {
        // Long enough that a loaded machine still gets its first request in before expiry.
        let sim = try PVESimFixture { $0.ticketLifetime = 4 }
        let (ticket, _) = try sim.login()
        XCTAssertEqual(try sim.request("GET", "/nodes", auth: .ticket(ticket: ticket, csrf: nil)).status, 200)
        Thread.sleep(forTimeInterval: 4.5)
        let expired = try sim.request("GET", "/nodes", auth: .ticket(ticket: ticket, csrf: nil))
        XCTAssertEqual(expired.status, 401)
        XCTAssertEqual(expired.reason, "Authentication failed!")
    }

    func testTokenWithoutPrivilegeGets403() throws {
        let sim = try PVESimFixture()
        let readonly = "hlsh@pve!readonly=\(PVESimFixture.tokenSecret)"
        let read = try sim.request("GET", "/nodes/pve1/qemu/9000/config", auth: .token(readonly))
        XCTAssertEqual(read.status, 200)
        let resize = try sim.request(
            "PUT", "/nodes/pve1/qemu/9000/resize", form: [("disk", "scsi0"), ("size", "+1G")], auth: .token(readonly))
        XCTAssertEqual(resize.status, 403)
        XCTAssertEqual(resize.reason, "Permission check failed (/vms/9000, VM.Config.Disk)")
        XCTAssertEqual(resize.message, "Permission check failed (/vms/9000, VM.Config.Disk)\n")
    }
}

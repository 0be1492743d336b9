import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Credentials never show up in errors, trace lines or descriptions.
final class HTTPRedactionTests: XCTestCase {
    private let secrets = [
        "0b3f1c52-secret-uuid", "PVE:root@pam:65A1B2C3::c2lnbmF0dXJl", "65A1B2C3:csrfSECRETsig",
        "eyJhbGciOiJSUzI1NiJ9.k8sSECRET", "hunter2",
    ]

    private func assertNoSecrets(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for secret in secrets {
            XCTAssertFalse(text.contains(secret), "leaked \(secret) in:\n\(text)", file: file, line: line)
        }
    }

    /// Headers a Proxmox or Kubernetes client sends.
    private var credentialHeaders: HTTPHeaders {
        [
            "Authorization": "PVEAPIToken=root@pam!hlsh=0b3f1c52-secret-uuid",
            "Cookie": "PVEAuthCookie=PVE:root@pam:65A1B2C3::c2lnbmF0dXJl",
            "CSRFPreventionToken": "65A1B2C3:csrfSECRETsig",
            "Accept": "application/json",
        ]
    }

    // MARK: The helper itself

    /// `redact` skips its rules for ASCII text with none of `Redaction.clues`: each rule, in any
    /// case, still runs on what it must hide.
    func testTheCluesLetEveryRuleSeeWhatItHides() {
        let samples = [
            #"{"API_KEY": "x1"}"#, #"{"Api-Key":"x1"}"#, #"{"client-SECRET":"x1"}"#, #"{"Passwd":"x1"}"#,
            "PROXY-AUTHORIZATION: x1", "Set-Cookie: x1", "PVEVNCAuthCookie=x1", "BEARER x1",
            "PVEVNC:user@pve:0000ABCD::x1", "?APIKEY=x1", "&Api_Key=x1", "TICKET=x1", "Secret=x1", "PASSWD=x1",
            "access_TOKEN=x1", "https://user:x1@host/path",
        ]
        for sample in samples {
            XCTAssertFalse(Redaction.redact(sample).contains("x1"), sample)
        }
        XCTAssertEqual(
            Redaction.redact("GET /api/v1/namespaces/x/configmaps?limit=500"),
            "GET /api/v1/namespaces/x/configmaps?limit=500")
    }

    func testRedactsHeaderLinesTokensTicketsAndParameters() {
        let samples = [
            "Authorization: PVEAPIToken=root@pam!hlsh=0b3f1c52-secret-uuid\r\nAccept: */*",
            "authorization: Bearer eyJhbGciOiJSUzI1NiJ9.k8sSECRET",
            "sent Bearer eyJhbGciOiJSUzI1NiJ9.k8sSECRET to the API",
            "Cookie: PVEAuthCookie=PVE:root@pam:65A1B2C3::c2lnbmF0dXJl; other=1",
            "PVEAuthCookie=PVE:root@pam:65A1B2C3::c2lnbmF0dXJl",
            "ticket PVE:root@pam:65A1B2C3::c2lnbmF0dXJl issued",
            "CSRFPreventionToken: 65A1B2C3:csrfSECRETsig",
            #"{"data":{"CSRFPreventionToken":"65A1B2C3:csrfSECRETsig","ticket":"PVE:root@pam:65A1B2C3::c2lnbmF0dXJl","username":"root@pam"}}"#,
            #"{"Authorization": "PVEAPIToken=root@pam!hlsh=0b3f1c52-secret-uuid"}"#,
            "username=root@pam&password=hunter2&otp=1",
            "https://root:hunter2@pve.lan:8006/api2/json/access/ticket?password=hunter2",
        ]
        for sample in samples {
            let redacted = Redaction.redact(sample)
            assertNoSecrets(redacted)
            XCTAssertTrue(redacted.contains("***"), redacted)
        }
        XCTAssertEqual(
            Redaction.redact("Authorization: Bearer abc.def\r\nAccept: */*"), "Authorization: ***\r\nAccept: */*")
        XCTAssertEqual(
            Redaction.redact("username=root@pam&password=hunter2&otp=1"), "username=root@pam&password=***&otp=1")
        XCTAssertEqual(Redaction.redact("GET /api2/json/nodes failed"), "GET /api2/json/nodes failed")
    }

    func testURLsKeepHarmlessParametersOnly() {
        let url = Redaction.redactURL(
            "https://admin:hunter2@pve.lan:8006/api2/json/access/ticket?username=root@pam&password=hunter2")
        XCTAssertEqual(url, "https://admin:***@pve.lan:8006/api2/json/access/ticket?username=root@pam&password=***")
        XCTAssertEqual(
            Redaction.redactURL("https://k8s:6443/api/v1/pods?watch=1&labelSelector=app%3Dweb"),
            "https://k8s:6443/api/v1/pods?watch=1&labelSelector=app%3Dweb")
    }

    func testHeadersRenderWithSensitiveValuesMasked() {
        let rendered = Redaction.render(credentialHeaders)
        assertNoSecrets(rendered)
        XCTAssertEqual(
            rendered,
            "Authorization: ***\nCookie: ***\nCSRFPreventionToken: ***\nAccept: application/json")
        XCTAssertTrue(Redaction.isSensitiveHeader("X-Auth-Token"))
        XCTAssertTrue(Redaction.isSensitiveHeader("proxy-authorization"))
        XCTAssertFalse(Redaction.isSensitiveHeader("Content-Type"))
    }

    func testDescriptionsAreRedacted() {
        let request = HTTPRequest(
            method: "POST", url: "https://pve:8006/api2/json/access/ticket?password=hunter2",
            headers: credentialHeaders, text: "username=root@pam&password=hunter2")
        assertNoSecrets(request.description)
        XCTAssertTrue(request.description.contains("Accept: application/json"), request.description)

        let response = HTTPResponse(
            status: 200, reason: "OK",
            headers: [
                "Set-Cookie": "PVEAuthCookie=PVE:root@pam:65A1B2C3::c2lnbmF0dXJl", "Content-Type": "application/json",
            ],
            body: Array("{}".utf8))
        assertNoSecrets(response.description)
        XCTAssertTrue(response.description.hasPrefix("HTTP/1.1 200 OK\nSet-Cookie: ***"), response.description)
    }

    // MARK: Through a real server

    func testAnErrorBodyEchoingTheCredentialsIsRedacted() throws {
        let server = try HTTPServerFixture()
        defer { server.stop() }
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: .never, trace: trace.sink)
        let request = HTTPRequest(
            url: server.url("/status/401?reason=authentication%20failure&echo=1"), headers: credentialHeaders)
        let response = try client.send(request)
        // The server did get (and echo) the real credentials…
        XCTAssertTrue(response.bodyText.contains("0b3f1c52-secret-uuid"), response.bodyText)
        // …but the error built from the body does not show them.
        let error = try XCTUnwrap(caught { try response.checked(for: request) })
        XCTAssertEqual(error.message, "HTTP 401 authentication failure")
        let cause = try XCTUnwrap(error.cause)
        XCTAssertTrue(cause.contains("\"Authorization\": \"***\""), cause)
        assertNoSecrets(error.description)
        assertNoSecrets(trace.text)
        XCTAssertTrue(trace.text.contains("Authorization: ***"), trace.text)
    }

    func testAFailedRequestsErrorAndTraceDoNotShowCredentials() throws {
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: quickRetry, trace: trace.sink)
        let url = "http://root:hunter2@127.0.0.1:\(try freeLoopbackPort())/api2/json/access/ticket?password=hunter2"
        var headers = credentialHeaders
        headers.add("X-K8s", "Bearer eyJhbGciOiJSUzI1NiJ9.k8sSECRET")
        let error = try XCTUnwrap(caught { try client.send(HTTPRequest(url: url, headers: headers)) })
        XCTAssertEqual(error.kind, .failed)
        XCTAssertTrue(error.description.contains("password=***"), error.description)
        assertNoSecrets(error.description)
        assertNoSecrets(trace.text)
        XCTAssertGreaterThan(trace.all.count, 3, trace.text)
    }
}

import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Which requests `HTTPClient` repeats, and how often.
final class HTTPRetryTests: XCTestCase {
    private var server: HTTPServerFixture!

    override func setUpWithError() throws {
        server = try HTTPServerFixture()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    private func hits(_ key: String) throws -> String {
        try HTTPClient(retry: .never).send(HTTPRequest(url: server.url("/flaky/count?key=\(key)"))).bodyText
    }

    func testGetIsRetriedOn503UntilItSucceeds() throws {
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: quickRetry, trace: trace.sink)
        let response = try client.send(HTTPRequest(url: server.url("/flaky?key=get&fail=2")))
        XCTAssertEqual(response.status, 200, trace.text)
        XCTAssertEqual(response.bodyText, #"{"attempt": 3}"#)
        XCTAssertEqual(try hits("get"), #"{"hits": 3}"#)
        XCTAssertEqual(trace.retries, 2, trace.text)
        XCTAssertTrue(trace.text.contains("HTTP 503 Service Unavailable"), trace.text)
    }

    func testGetGivesUpAfterTheLastAttemptAndReturnsTheResponse() throws {
        let client = HTTPClient(retry: quickRetry)
        let response = try client.send(HTTPRequest(url: server.url("/flaky?key=many&fail=10")))
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(try hits("many"), #"{"hits": 3}"#)
    }

    func testPostIsNotRetried() throws {
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: quickRetry, trace: trace.sink)
        let request = HTTPRequest(method: "POST", url: server.url("/flaky?key=post&fail=2"), text: "vmid=100")
        XCTAssertFalse(request.isIdempotent)
        let response = try client.send(request)
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(try hits("post"), #"{"hits": 1}"#)
        XCTAssertEqual(trace.retries, 0, trace.text)
    }

    func testPostIsNotRetriedAfterAConnectionFailure() throws {
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: quickRetry, trace: trace.sink)
        let url = "http://127.0.0.1:\(try freeLoopbackPort())/x"
        let error = try XCTUnwrap(caught { try client.send(HTTPRequest(method: "POST", url: url, text: "a=1")) })
        XCTAssertEqual(error.kind, .failed)
        XCTAssertEqual(trace.retries, 0, trace.text)
    }

    func testAPostMarkedIdempotentIsRetried() throws {
        let client = HTTPClient(retry: quickRetry)
        let request = HTTPRequest(
            method: "POST", url: server.url("/flaky?key=idem&fail=1"), text: "{}", isIdempotent: true)
        XCTAssertEqual(try client.send(request).status, 200)
        XCTAssertEqual(try hits("idem"), #"{"hits": 2}"#)
    }

    func testProxmoxProxyStatusesAreRetriedButNot500() throws {
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: RetryPolicy(attempts: 2, baseDelay: .milliseconds(5)), trace: trace.sink)
        XCTAssertEqual(
            try client.send(HTTPRequest(url: server.url("/status/596?reason=Connection%20timed%20out"))).status, 596)
        XCTAssertEqual(trace.retries, 1, trace.text)
        XCTAssertEqual(try client.send(HTTPRequest(url: server.url("/status/500?reason=VM%20is%20locked"))).status, 500)
        XCTAssertEqual(trace.retries, 1, "500 must not be retried:\n\(trace.text)")
        XCTAssertEqual(try client.send(HTTPRequest(url: server.url("/status/404"))).status, 404)
        XCTAssertEqual(trace.retries, 1, "4xx must not be retried:\n\(trace.text)")
    }

    func testIdempotenceDefaultsByMethod() {
        for method in ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "get"] {
            XCTAssertTrue(HTTPRequest(method: method, url: "http://h/").isIdempotent, method)
        }
        for method in ["POST", "PATCH"] {
            XCTAssertFalse(HTTPRequest(method: method, url: "http://h/").isIdempotent, method)
        }
    }

    func testBackoffDoublesUpToTheMaximum() {
        let policy = RetryPolicy(attempts: 6, baseDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        XCTAssertEqual(policy.delay(beforeRetry: 1), .milliseconds(100))
        XCTAssertEqual(policy.delay(beforeRetry: 2), .milliseconds(200))
        XCTAssertEqual(policy.delay(beforeRetry: 3), .milliseconds(350))
        XCTAssertEqual(policy.delay(beforeRetry: 9), .milliseconds(350))
        XCTAssertEqual(RetryPolicy(attempts: 0).attempts, 1)
    }
}

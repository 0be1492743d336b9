import Foundation
import HLSCore
import HLSTransport
import Synchronization
import TestSupport
import XCTest

/// `HTTPClient` against a real local HTTP server (Python's http.server in a child process).
final class HTTPClientTests: XCTestCase {
    private var server: HTTPServerFixture!

    override func setUpWithError() throws {
        server = try HTTPServerFixture()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    // MARK: Round trips

    func testGetSendsHeadersInOrderWithUserAgent() throws {
        let client = HTTPClient(retry: .never)
        let request = HTTPRequest(
            url: server.url("/echo/items?limit=2"),
            headers: ["X-First": "1", "Accept": "application/json", "X-Last": "three words"])
        let response = try client.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.reason, "OK")
        XCTAssertEqual(response.version, "HTTP/1.1")
        let echo = try echoJSON(response)
        XCTAssertEqual(echo["method"] as? String, "GET")
        XCTAssertEqual(echo["path"] as? String, "/echo/items?limit=2")
        let headers = try XCTUnwrap(echo["headers"] as? [String: String])
        XCTAssertEqual(headers["User-Agent"], "hlsh/\(HLSVersion.string)")
        XCTAssertEqual(headers["X-Last"], "three words")
        XCTAssertEqual(headers["Accept"], "application/json")
        XCTAssertNil(headers["Expect"])
        // Order as given: find each name's position in the raw echo.
        let raw = response.bodyText
        let positions = ["\"X-First\"", "\"Accept\"", "\"X-Last\""].map {
            raw.range(of: $0).map { raw.distance(from: raw.startIndex, to: $0.lowerBound) } ?? -1
        }
        XCTAssertFalse(positions.contains(-1), raw)
        XCTAssertEqual(positions, positions.sorted(), raw)
    }

    func testPostSendsBodyAndContentType() throws {
        let client = HTTPClient(retry: .never)
        let text = "name=vm 100&note=grüße"
        let response = try client.send(
            HTTPRequest(
                method: "POST", url: server.url("/echo"),
                headers: ["Content-Type": "application/x-www-form-urlencoded"], text: text))
        XCTAssertEqual(response.status, 200)
        let echo = try echoJSON(response)
        XCTAssertEqual(echo["method"] as? String, "POST")
        XCTAssertEqual(echo["body"] as? String, text)
        let headers = try XCTUnwrap(echo["headers"] as? [String: String])
        XCTAssertEqual(headers["Content-Type"], "application/x-www-form-urlencoded")
        XCTAssertEqual(headers["Content-Length"], String(text.utf8.count))
    }

    func testBodiesWithNULBytesAndOtherMethods() throws {
        let client = HTTPClient(retry: .never)
        let binary: [UInt8] = [0x61, 0x00, 0x62, 0x00, 0x63]
        let put = try client.send(HTTPRequest(method: "PUT", url: server.url("/echo/put"), body: binary))
        XCTAssertEqual(try echoJSON(put)["method"] as? String, "PUT")
        XCTAssertEqual(try echoJSON(put)["body"] as? String, "a\u{0}b\u{0}c")

        let emptyPost = try client.send(HTTPRequest(method: "POST", url: server.url("/echo/empty")))
        let emptyHeaders = try XCTUnwrap(try echoJSON(emptyPost)["headers"] as? [String: String])
        XCTAssertEqual(emptyHeaders["Content-Length"], "0")

        let delete = try client.send(HTTPRequest(method: "DELETE", url: server.url("/echo/x")))
        XCTAssertEqual(try echoJSON(delete)["method"] as? String, "DELETE")

        let head = try client.send(HTTPRequest(method: "HEAD", url: server.url("/echo/x")))
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, [])
        XCTAssertNotNil(head.headers["content-length"])
    }

    func testStatusReasonPhraseAndHeaders() throws {
        let client = HTTPClient(retry: .never)
        let request = HTTPRequest(url: server.url("/status/401?reason=authentication%20failure"))
        let response = try client.send(request)
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(response.reason, "authentication failure")
        XCTAssertFalse(response.isSuccess)
        XCTAssertEqual(response.headers["CONTENT-TYPE"], "application/json")
        XCTAssertEqual(response.headers.values(for: "content-type"), ["application/json"])
        XCTAssertEqual(response.bodyText, #"{"status": 401}"#)

        let error = try XCTUnwrap(caught { try response.checked(for: request) })
        XCTAssertEqual(error.kind, .failed)
        XCTAssertEqual(error.message, "HTTP 401 authentication failure")
        XCTAssertEqual(error.place, .request(method: "GET", url: request.url))

        let ok = try client.send(HTTPRequest(url: server.url("/status/204")))
        XCTAssertEqual(ok.status, 204)
        XCTAssertNoThrow(try ok.checked(for: request))
    }

    // MARK: Timeouts, cancellation, connection failures

    func testTotalTimeoutThrowsTimeoutNamingTheRequest() throws {
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: quickRetry, trace: trace.sink)
        let request = HTTPRequest(
            url: server.url("/slow?seconds=20"), timeouts: HTTPTimeouts(connect: .seconds(5), total: .milliseconds(500))
        )
        let started = ContinuousClock.now
        let error = try XCTUnwrap(caught { try client.send(request) })
        let elapsed = seconds(ContinuousClock.now - started)
        XCTAssertEqual(error.kind, .timeout, error.description)
        XCTAssertEqual(error.place, .request(method: "GET", url: request.url))
        XCTAssertTrue(error.description.contains("GET \(request.url)"), error.description)
        XCTAssertTrue(error.message.contains("timed out after 500ms"), error.message)
        XCTAssertGreaterThanOrEqual(elapsed, 0.4)
        XCTAssertLessThan(elapsed, 10, "the timeout did not end the request")
        XCTAssertEqual(trace.retries, 0, "a response timeout is not retried:\n\(trace.text)")
    }

    func testCancellingAStalledRequestFromAnotherThreadReturnsPromptly() throws {
        let client = HTTPClient(retry: .never)
        let token = Cancellation()
        let request = HTTPRequest(url: server.url("/stall"), timeouts: HTTPTimeouts(total: .seconds(60)))
        let canceller = DelayedAction(after: .milliseconds(700)) { token.cancel() }
        let started = ContinuousClock.now
        let error = try XCTUnwrap(caught { try client.send(request, cancellation: token) })
        let returned = ContinuousClock.now
        XCTAssertEqual(error.kind, .interrupted, error.description)
        XCTAssertEqual(error.place, .request(method: "GET", url: request.url))
        let cancelledAt = try XCTUnwrap(canceller.fired, "send returned before the cancel: \(error)")
        XCTAssertGreaterThanOrEqual(seconds(returned - started), 0.6)
        XCTAssertLessThan(seconds(returned - cancelledAt), 1.5, "cancellation took too long")
    }

    func testAlreadyCancelledTokenSendsNothing() throws {
        let client = HTTPClient(retry: .never)
        let token = Cancellation()
        token.cancel()
        let error = try XCTUnwrap(
            caught { try client.send(HTTPRequest(url: server.url("/flaky?key=c&fail=0")), cancellation: token) })
        XCTAssertEqual(error.kind, .interrupted)
        let count = try client.send(HTTPRequest(url: server.url("/flaky/count?key=c")))
        XCTAssertEqual(count.bodyText, #"{"hits": 0}"#)
    }

    func testCancellationEndsTheBackoffWait() throws {
        let client = HTTPClient(retry: RetryPolicy(attempts: 5, baseDelay: .seconds(20), maxDelay: .seconds(20)))
        let token = Cancellation()
        let canceller = DelayedAction(after: .milliseconds(500)) { token.cancel() }
        let error = try XCTUnwrap(
            caught { try client.send(HTTPRequest(url: server.url("/flaky?key=b&fail=9")), cancellation: token) })
        let returned = ContinuousClock.now
        XCTAssertEqual(error.kind, .interrupted, error.description)
        let cancelledAt = try XCTUnwrap(canceller.fired)
        XCTAssertLessThan(seconds(returned - cancelledAt), 1.5)
    }

    func testConnectionRefusedFailsNamingTheURL() throws {
        let port = try freeLoopbackPort()
        let url = "http://127.0.0.1:\(port)/api2/json/version"
        let trace = HTTPTraceLog()
        let client = HTTPClient(retry: quickRetry, trace: trace.sink)
        let error = try XCTUnwrap(caught { try client.send(HTTPRequest(url: url)) })
        XCTAssertEqual(error.kind, .failed, error.description)
        XCTAssertEqual(error.message, "cannot connect to http://127.0.0.1:\(port)")
        XCTAssertEqual(error.place, .request(method: "GET", url: url))
        XCTAssertTrue(error.description.contains(url), error.description)
        let cause = try XCTUnwrap(error.cause)
        XCTAssertTrue(cause.contains("127.0.0.1"), cause)
        XCTAssertEqual(trace.retries, 2, "an idempotent GET is retried on connection errors:\n\(trace.text)")
    }

    func testInvalidURLAndHeaderAreUsageErrors() throws {
        let client = HTTPClient(retry: quickRetry)
        let badScheme = try XCTUnwrap(caught { try client.send(HTTPRequest(url: "ftp://127.0.0.1/x")) })
        XCTAssertEqual(badScheme.kind, .usage, badScheme.description)
        let badHeader = try XCTUnwrap(
            caught { try client.send(HTTPRequest(url: server.url("/echo"), headers: ["X-Evil": "a\r\nInjected: 1"])) })
        XCTAssertEqual(badHeader.kind, .usage, badHeader.description)
    }

    // MARK: Streaming

    func testStreamDeliversBodyPiecesToTheReceiver() throws {
        let client = HTTPClient(retry: .never)
        let received = Mutex<[UInt8]>([])
        let pieces = Atomic<Int>(0)
        let request = HTTPRequest(
            url: server.url("/stream?lines=5&interval=0.05"), timeouts: .streaming,
            onData: { bytes in
                received.withLock { $0 += bytes }
                pieces.add(1, ordering: .relaxed)
                return true
            })
        let response = try client.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, [], "a streamed body is not collected as well")
        let text = String(decoding: received.withLock { $0 }, as: UTF8.self)
        XCTAssertEqual(text, (0..<5).map { "{\"line\": \($0)}\n" }.joined())
        XCTAssertGreaterThan(pieces.load(ordering: .relaxed), 1, "expected the lines to arrive in pieces")
    }

    func testStreamStopsWhenTheReceiverSaysSo() throws {
        let client = HTTPClient(retry: quickRetry)
        let lines = Atomic<Int>(0)
        let request = HTTPRequest(
            url: server.url("/stream?lines=1000&interval=0.05"), timeouts: .streaming,
            onData: { bytes in
                let n = lines.add(bytes.filter { $0 == 0x0A }.count, ordering: .relaxed).newValue
                return n < 3
            })
        let started = ContinuousClock.now
        let response = try client.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertGreaterThanOrEqual(lines.load(ordering: .relaxed), 3)
        XCTAssertLessThan(lines.load(ordering: .relaxed), 1000)
        XCTAssertLessThan(seconds(ContinuousClock.now - started), 20, "the stream was not stopped")
    }

    func testStreamingRequestCollectsAnErrorBody() throws {
        let client = HTTPClient(retry: .never)
        let called = Atomic<Bool>(false)
        let request = HTTPRequest(
            url: server.url("/status/403?reason=Forbidden"), timeouts: .streaming,
            onData: { _ in
                called.store(true, ordering: .relaxed)
                return true
            })
        let response = try client.send(request)
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(response.bodyText, #"{"status": 403}"#)
        XCTAssertFalse(called.load(ordering: .relaxed))
    }

    // MARK: Connections and threads

    func testConsecutiveRequestsReuseTheConnection() throws {
        let client = HTTPClient(retry: .never)
        let first = try echoJSON(client.send(HTTPRequest(url: server.url("/echo/1"))))
        let second = try echoJSON(client.send(HTTPRequest(url: server.url("/echo/2"))))
        let port1 = try XCTUnwrap(first["client_port"] as? Int)
        let port2 = try XCTUnwrap(second["client_port"] as? Int)
        XCTAssertEqual(port1, port2, "the second request opened a new connection")

        let fresh = try echoJSON(HTTPClient(retry: .never).send(HTTPRequest(url: server.url("/echo/3"))))
        XCTAssertNotEqual(fresh["client_port"] as? Int, port1, "another client has its own connections")
    }

    func testConcurrentRequestsFromManyThreads() throws {
        let client = HTTPClient(retry: quickRetry)
        let failures = Mutex<[String]>([])
        let url = server.url("/echo")
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for n in 0..<5 {
                let path = "/echo/\(worker)/\(n)"
                do {
                    let response = try client.send(HTTPRequest(url: url + "/\(worker)/\(n)"))
                    let echo = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
                    if echo?["path"] as? String != path {
                        failures.withLock { $0.append("\(path): \(response.bodyText)") }
                    }
                } catch {
                    failures.withLock { $0.append("\(path): \(error)") }
                }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
    }
}

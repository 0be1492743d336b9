import Foundation
import HLSCore
import HLSTransport
import Synchronization
import TestSupport
import XCTest

/// Collects an `HTTPClient`'s trace lines (from any thread).
final class HTTPTraceLog: Sendable {
    private let lines = Mutex<[String]>([])

    var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined(separator: "\n") }
    var retries: Int { all.filter { $0.hasPrefix("retrying ") }.count }
}

/// Retries with delays small enough for tests.
let quickRetry = RetryPolicy(attempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40))

/// The `HLSError` `body` throws, or nil when it returns (any other error fails the test).
func caught<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> HLSError? {
    do {
        _ = try body()
        return nil
    } catch let error as HLSError {
        return error
    } catch {
        XCTFail("expected an HLSError, got \(error)", file: file, line: line)
        return nil
    }
}

/// The echo endpoint's JSON.
func echoJSON(_ response: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body))
    return try XCTUnwrap(object as? [String: Any], "not a JSON object: \(response.bodyText)", file: file, line: line)
}

/// Seconds between two instants of the continuous clock.
func seconds(_ duration: Duration) -> Double {
    let (s, atto) = duration.components
    return Double(s) + Double(atto) / 1e18
}

/// Runs `body` on another thread after `delay`; returns when it was started.
final class DelayedAction: Sendable {
    private let firedAt = Mutex<ContinuousClock.Instant?>(nil)

    init(after delay: Duration, _ body: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in
            Thread.sleep(forTimeInterval: seconds(delay))
            firedAt.withLock { $0 = .now }
            body()
        }
    }

    var fired: ContinuousClock.Instant? { firedAt.withLock { $0 } }
}

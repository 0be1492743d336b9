import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import HLSTransport

/// Commands that do not end on their own: cancellation, timeouts, dropped connections.
/// Bounds are generous: the machine is shared and may be loaded.
final class SSHInterruptionTests: XCTestCase {
    func testCancellationFromAnotherThreadReturnsPromptly() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let cancellation = Cancellation()
        let cancelledAt = CancelTime()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            cancelledAt.mark()
            cancellation.cancel()
        }
        let start = ContinuousClock.now
        let error = expectHLSError { () throws(HLSError) in
            try session.exec("sleep 30", cancellation: cancellation, timeout: .seconds(120))
        }
        let total = secondsSince(start)
        XCTAssertEqual(error?.kind, .interrupted)
        XCTAssertEqual(error?.place, .host(sshd.endpoint.description))
        XCTAssertLessThan(cancelledAt.secondsUntilNow(), 2.0, "returned too long after the cancel")
        XCTAssertLessThan(total, 10.0)

        // The channel was closed cleanly: the connection still works.
        XCTAssertTrue(session.isConnected)
        XCTAssertEqual(try session.exec("echo after", timeout: .seconds(60)).stdoutText, "after\n")
    }

    func testAbandonedChannelIsFreedOnceTheRemoteCommandEnds() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let cancellation = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        let error = expectHLSError { () throws(HLSError) in
            try session.exec("sleep 3", cancellation: cancellation, timeout: .seconds(60))
        }
        XCTAssertEqual(error?.kind, .interrupted)
        // sshd holds the channel's close until `sleep` exits; the session frees it afterwards.
        XCTAssertLessThanOrEqual(session.abandonedChannelCount, 1)
        let start = ContinuousClock.now
        while session.abandonedChannelCount > 0 && secondsSince(start) < 30 {
            XCTAssertEqual(try session.exec("true", timeout: .seconds(60)).exitStatus, 0)
            usleep(250_000)
        }
        XCTAssertEqual(session.abandonedChannelCount, 0)
        XCTAssertTrue(session.isConnected)
    }

    func testAlreadyCancelledTokenStopsBeforeRunning() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let cancellation = Cancellation()
        cancellation.cancel()
        let error = expectHLSError { () throws(HLSError) in
            try session.exec("sleep 30", cancellation: cancellation, timeout: .seconds(120))
        }
        XCTAssertEqual(error?.kind, .interrupted)
    }

    func testCommandTimeout() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let start = ContinuousClock.now
        let error = expectHLSError { () throws(HLSError) in try session.exec("sleep 30", timeout: .seconds(1)) }
        let elapsed = secondsSince(start)
        XCTAssertEqual(error?.kind, .timeout)
        XCTAssertTrue(error?.description.contains(sshd.endpoint.description) ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("after 1s") ?? false, "\(String(describing: error))")
        XCTAssertGreaterThanOrEqual(elapsed, 0.9)
        XCTAssertLessThan(elapsed, 8.0)
        XCTAssertEqual(try session.exec("echo still here", timeout: .seconds(60)).stdoutText, "still here\n")
    }

    func testKilledConnectionMidCommandNamesTheHost() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { sshd.killConnections() }
        let start = ContinuousClock.now
        let error = expectHLSError { () throws(HLSError) in try session.exec("sleep 30", timeout: .seconds(120)) }
        XCTAssertLessThan(secondsSince(start), 15.0)
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertTrue(error?.description.contains(sshd.endpoint.description) ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("lost") ?? false, "\(String(describing: error))")
        XCTAssertFalse(session.isConnected)

        // Later commands fail at once with the same story instead of hanging.
        let again = expectHLSError { () throws(HLSError) in try session.exec("true", timeout: .seconds(60)) }
        XCTAssertEqual(again?.place, .host(sshd.endpoint.description))
    }

    func testStoppedServerMidCommandNamesTheHost() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { sshd.stop() }
        let start = ContinuousClock.now
        let error = expectHLSError { () throws(HLSError) in
            try session.exec("echo started; sleep 30", timeout: .seconds(120))
        }
        XCTAssertLessThan(secondsSince(start), 15.0)
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertTrue(error?.description.contains(sshd.endpoint.description) ?? false, "\(String(describing: error))")
    }

    func testRefusedConnectionNamesTheHost() throws {
        let port = try freeLoopbackPort()
        let endpoint = SSHEndpoint(user: "nobody", host: "127.0.0.1", port: port)
        let options = SSHConnectOptions(knownHostsPath: "/nonexistent/known_hosts", identities: [])
        let error = expectHLSError { () throws(HLSError) in try SSHSession(connectingTo: endpoint, options: options) }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.place, .host("nobody@127.0.0.1:\(port)"))
        XCTAssertTrue(error?.cause?.contains("refused") ?? false, "\(String(describing: error))")
    }

    func testConnectTimeoutWhenServerNeverAnswers() throws {
        // A listener that accepts but never speaks SSH: the handshake must give up in time.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 4), 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let endpoint = SSHEndpoint(user: "nobody", host: "127.0.0.1", port: UInt16(bigEndian: addr.sin_port))
        let options = SSHConnectOptions(
            knownHostsPath: "/nonexistent/known_hosts", identities: [], connectTimeout: .milliseconds(700))
        let start = ContinuousClock.now
        let error = expectHLSError { () throws(HLSError) in try SSHSession(connectingTo: endpoint, options: options) }
        XCTAssertEqual(error?.kind, .timeout)
        XCTAssertEqual(error?.place, .host(endpoint.description))
        XCTAssertLessThan(secondsSince(start), 8.0)
    }
}

/// When the helper thread cancelled, for measuring how fast `exec` noticed.
private final class CancelTime: @unchecked Sendable {
    private let lock = NSLock()
    private var instant: ContinuousClock.Instant?
    func mark() {
        lock.lock()
        instant = .now
        lock.unlock()
    }
    func secondsUntilNow() -> Double {
        lock.lock()
        defer { lock.unlock() }
        guard let instant else { return .infinity }
        return secondsSince(instant)
    }
}

import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// One connection per host for a whole run, set up in parallel, replaced when lost.
final class SSHPoolTests: XCTestCase {
    func testFanOutOverThreeHostsReusesOneConnectionEach() throws {
        let fixtures = try (1...3).map { _ in try startSSHD() }
        let lab = try SSHLabConfig(fixtures.enumerated().map { ("node\($0.offset + 1)", $0.element) })
        let targets = try (1...3).map { try lab.resolve("node\($0)") }
        let pool = SSHConnectionPool()
        addTeardownBlock { pool.closeAll() }

        let connected = pool.connectAll(targets)
        XCTAssertEqual(connected.filter { (try? $0.get()) != nil }.count, 3, "\(connected)")
        XCTAssertEqual(pool.openCount, 3)

        // Three commands per host, the hosts in parallel: exit codes, stdin, a large output.
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            let target = targets[index]
            do throws(HLSError) {
                let code = try pool.exec("exit \(index + 4)", on: target, timeout: .seconds(60)).exitStatus
                let echoed = try pool.exec("cat", on: target, stdin: Array("in\(index)".utf8), timeout: .seconds(60))
                let big = try pool.exec("head -c 3000000 /dev/zero", on: target, timeout: .seconds(120))
                outcomes.add("\(index): \(code ?? -1) \(echoed.stdoutText) \(big.stdout.count)")
            } catch {
                outcomes.add("\(index): \(error)")
            }
        }
        XCTAssertEqual(outcomes.sorted, ["0: 4 in0 3000000", "1: 5 in1 3000000", "2: 6 in2 3000000"])
        for sshd in fixtures {
            XCTAssertEqual(sshd.acceptedLogins, 1, sshd.log)
        }
    }

    func testLostConnectionIsReportedThenReplacedOnNextUse() throws {
        let sshd = try startSSHD()
        let lab = try SSHLabConfig([("node1", sshd)])
        let target = try lab.resolve("node1")
        let pool = SSHConnectionPool()
        addTeardownBlock { pool.closeAll() }
        XCTAssertEqual(try pool.exec("true", on: target, timeout: .seconds(60)).exitStatus, 0)

        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { sshd.killConnections() }
        let error = expectHLSError { () throws(HLSError) in
            try pool.exec("sleep 30", on: target, timeout: .seconds(120))
        }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.place, .host(target.endpoint.description))
        XCTAssertTrue(error?.message.contains("lost") ?? false, "\(String(describing: error))")

        XCTAssertEqual(try pool.exec("echo again", on: target, timeout: .seconds(60)).stdoutText, "again\n")
        XCTAssertEqual(sshd.acceptedLogins, 2, sshd.log)
    }

    func testConnectionClosedBetweenCommandsIsReplacedTransparently() throws {
        let sshd = try startSSHD()
        let lab = try SSHLabConfig([("node1", sshd)])
        let target = try lab.resolve("node1")
        let pool = SSHConnectionPool()
        addTeardownBlock { pool.closeAll() }
        XCTAssertEqual(try pool.exec("echo one", on: target, timeout: .seconds(60)).stdoutText, "one\n")
        let session = try pool.session(for: target)
        sshd.killConnections()
        // The server's side is gone (as after a reboot): the next command reconnects first.
        let deadline = ContinuousClock.now + .seconds(5)
        while session.checkPeerStillConnected() && ContinuousClock.now < deadline { usleep(20_000) }
        XCTAssertEqual(try pool.exec("echo two", on: target, timeout: .seconds(60)).stdoutText, "two\n")
        XCTAssertEqual(sshd.acceptedLogins, 2, sshd.log)
    }

    func testFailuresAreReportedPerHostAndDoNotStopTheOthers() throws {
        let good = try startSSHD()
        let stranger = try startSSHD()
        // known_hosts lists only the good host: the other one is refused as unknown.
        let lab = try SSHLabConfig([("good", good), ("unknown", stranger)], knownHosts: [good])
        let results = SSHConnectionPool().connectAll([try lab.resolve("good"), try lab.resolve("unknown")])
        XCTAssertNotNil(try? results[0].get())
        guard case .failure(let error) = results[1] else { return XCTFail("expected a failure") }
        XCTAssertTrue(error.message.contains("is not known"), error.description)
        XCTAssertTrue(error.message.contains(stranger.hostKeyFingerprint), error.description)
        XCTAssertEqual(error.place, .host("\(stranger.user)@127.0.0.1:\(stranger.port)"))
    }

    func testTheSameHostUnderTwoNamesSharesOneConnection() throws {
        let sshd = try startSSHD()
        let lab = try SSHLabConfig([("node1", sshd)])
        let byName = try lab.resolve("node1")
        let adHoc = try lab.resolver.resolve("\(sshd.user)@127.0.0.1:\(sshd.port)")
        XCTAssertEqual(adHoc.endpoint, byName.endpoint)
        let pool = SSHConnectionPool()
        addTeardownBlock { pool.closeAll() }
        // Same endpoint, but the ad-hoc target has no IdentityFile from the Host block.
        var sameOptions = adHoc
        sameOptions.options = byName.options
        XCTAssertTrue(try pool.session(for: byName) === pool.session(for: sameOptions))
        XCTAssertEqual(pool.openCount, 1)
    }

    func testClosedPoolRefusesNewSessions() throws {
        let sshd = try startSSHD()
        let lab = try SSHLabConfig([("node1", sshd)])
        let pool = SSHConnectionPool()
        let target = try lab.resolve("node1")
        _ = try pool.session(for: target)
        pool.closeAll()
        XCTAssertEqual(pool.openCount, 0)
        let error = expectHLSError { () throws(HLSError) in try pool.session(for: target) }
        XCTAssertEqual(error?.kind, .failed)
    }
}

/// Lines collected from several threads.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var sorted: [String] { lock.withLock { lines.sorted() } }
}

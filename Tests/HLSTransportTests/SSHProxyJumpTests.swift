import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// `ProxyJump`: the target's session runs through a direct-tcpip channel on the jump host.
final class SSHProxyJumpTests: XCTestCase {
    func testCommandsRunThroughTheJumpHost() throws {
        let jump = try SSHDFixture.start(extraConfig: ["LogLevel DEBUG1"])
        addTeardownBlock { jump.stop() }
        let target = try startSSHD()
        let lab = try SSHLabConfig([("bastion", jump), ("inner", target)], extra: ["inner": ["ProxyJump bastion"]])
        let resolved = try lab.resolve("inner")
        XCTAssertEqual(resolved.jumpHosts.map(\.endpoint), [jump.endpoint])

        let session = try SSHSession.connect(to: resolved)
        XCTAssertEqual(session.endpoint, target.endpoint)
        XCTAssertEqual(try session.exec("echo through", timeout: .seconds(60)).stdoutText, "through\n")
        // Bulk both ways through the pump.
        let input = [UInt8](repeating: 0x41, count: 1_500_000)
        let result: SSHExecResult
        do {
            result = try session.exec("cat; head -c 2000000 /dev/zero >&2", stdin: input, timeout: .seconds(120))
        } catch {
            return XCTFail("\(error)\ntarget sshd log:\n\(target.log)\njump sshd log (end):\n\(jump.log.suffix(3000))")
        }
        XCTAssertEqual(result.stdout, input)
        XCTAssertEqual(result.stderr.count, 2_000_000)

        XCTAssertTrue(jump.log.contains("direct-tcpip"), jump.log)
        XCTAssertTrue(jump.log.contains("port \(target.port)"), jump.log)
        XCTAssertEqual(target.acceptedLogins, 1)
        session.close()
    }

    func testPooledTargetsBehindOneJumpHostShareItsConnection() throws {
        let jump = try startSSHD()
        let first = try startSSHD()
        let second = try startSSHD()
        let lab = try SSHLabConfig(
            [("bastion", jump), ("node1", first), ("node2", second)],
            extra: ["node1": ["ProxyJump bastion"], "node2": ["ProxyJump bastion"]])
        let targets = [try lab.resolve("node1"), try lab.resolve("node2")]
        let pool = SSHConnectionPool()
        addTeardownBlock { pool.closeAll() }
        XCTAssertEqual(pool.connectAll(targets).filter { (try? $0.get()) != nil }.count, 2)
        for _ in 0..<2 {
            XCTAssertEqual(try pool.exec("echo 1", on: targets[0], timeout: .seconds(60)).stdoutText, "1\n")
            XCTAssertEqual(try pool.exec("echo 2", on: targets[1], timeout: .seconds(60)).stdoutText, "2\n")
        }
        XCTAssertEqual(jump.acceptedLogins, 1, jump.log)
        XCTAssertEqual(first.acceptedLogins, 1, first.log)
        XCTAssertEqual(second.acceptedLogins, 1, second.log)

        // The jump host's connection drops: the targets' sessions are lost with it, and the
        // next use reconnects through a new jump connection.
        let stale = try pool.session(for: targets[0])
        jump.killConnections()
        let deadline = ContinuousClock.now + .seconds(10)
        while stale.checkPeerStillConnected() && ContinuousClock.now < deadline { usleep(20_000) }
        XCTAssertFalse(stale.isConnected)
        XCTAssertEqual(try pool.exec("echo again", on: targets[0], timeout: .seconds(60)).stdoutText, "again\n")
        XCTAssertEqual(jump.acceptedLogins, 2, jump.log)
        pool.closeAll()
    }

    func testTargetHostKeyIsCheckedUnderTheTargetsName() throws {
        let jump = try startSSHD()
        let target = try startSSHD()
        let lab = try SSHLabConfig(
            [("bastion", jump), ("inner", target)], extra: ["inner": ["ProxyJump bastion"]], knownHosts: [jump])
        let resolved = try lab.resolve("inner")
        let error = expectHLSError { () throws(HLSError) in try SSHSession.connect(to: resolved) }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.place, .host(target.endpoint.description))
        XCTAssertTrue(error?.message.contains("[127.0.0.1]:\(target.port)") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains(target.hostKeyFingerprint) ?? false, "\(String(describing: error))")
    }

    func testJumpHostThatForbidsForwardingIsExplained() throws {
        let jump = try SSHDFixture.start(extraConfig: ["AllowTcpForwarding no"])
        addTeardownBlock { jump.stop() }
        let target = try startSSHD()
        let lab = try SSHLabConfig([("bastion", jump), ("inner", target)], extra: ["inner": ["ProxyJump bastion"]])
        let resolved = try lab.resolve("inner")
        let error = expectHLSError { () throws(HLSError) in try SSHSession.connect(to: resolved) }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.place, .host(target.endpoint.description))
        XCTAssertTrue(error?.message.contains("through the jump host") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.hint?.contains("AllowTcpForwarding") ?? false, "\(String(describing: error))")
    }
}

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
        let result = try session.exec("cat; head -c 2000000 /dev/zero >&2", stdin: input, timeout: .seconds(120))
        XCTAssertEqual(result.stdout, input)
        XCTAssertEqual(result.stderr.count, 2_000_000)

        XCTAssertTrue(jump.log.contains("direct-tcpip"), jump.log)
        XCTAssertTrue(jump.log.contains("port \(target.port)"), jump.log)
        XCTAssertEqual(target.acceptedLogins, 1)
        session.close()
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

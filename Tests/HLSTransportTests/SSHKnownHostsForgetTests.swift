import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Forgetting a host as `ssh-keygen -R` does, checked with OpenSSH's own `ssh-keygen -F`.
/// (`@revoked` and `@cert-authority` lines are kept by design; `-F` would list them.)
final class SSHKnownHostsForgetTests: XCTestCase {
    private let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

    private func found(_ name: String, in path: String) throws -> Bool {
        try runProcess("/usr/bin/ssh-keygen", ["-F", name, "-f", path]).status == 0
    }

    func testPlainCommaListedAndHashedEntriesOfTheHostGoAndOthersStay() throws {
        let dir = try TemporaryDirectory()
        let hashed = try dir.write("hashed", "[10.0.0.5]:2222 \(key)\n", mode: 0o600)
        XCTAssertEqual(try runProcess("/usr/bin/ssh-keygen", ["-H", "-f", hashed]).status, 0)
        let hashedLine =
            try String(contentsOfFile: hashed, encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("|1|") }.map(String.init) ?? ""
        XCTAssertFalse(hashedLine.isEmpty)
        let path = try dir.write(
            "known_hosts",
            """
            # my hosts
            [10.0.0.5]:2222 \(key)
            pve1,[10.0.0.5]:2222 \(key)
            \(hashedLine)
            other.lan \(key)

            """, mode: 0o640)
        XCTAssertTrue(try found("[10.0.0.5]:2222", in: path))

        XCTAssertEqual(try SSHKnownHostsFile.forget("[10.0.0.5]:2222", in: path), 3)
        XCTAssertFalse(try found("[10.0.0.5]:2222", in: path))
        XCTAssertTrue(try found("pve1", in: path))
        XCTAssertTrue(try found("other.lan", in: path))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("# my hosts"))
        XCTAssertTrue(text.contains("pve1 ssh-ed25519"), "a line naming others too keeps them")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o640)
        XCTAssertEqual(try SSHKnownHostsFile.forget("[10.0.0.5]:2222", in: path), 0, "nothing left to forget")
    }
}

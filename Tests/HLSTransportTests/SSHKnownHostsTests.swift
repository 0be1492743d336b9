import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import HLSTransport

/// Host key verification against known_hosts files, with a real sshd's ed25519 key.
final class SSHKnownHostsTests: XCTestCase {
    func testMatchingHostKeyIsAccepted() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        XCTAssertEqual(session.hostKey.typeName, "ssh-ed25519")
        XCTAssertEqual(session.hostKey.fingerprint, sshd.hostKeyFingerprint)
        XCTAssertEqual(try session.exec("echo ok", timeout: .seconds(60)).stdoutText, "ok\n")
    }

    func testUnknownHostIsRefusedWithItsFingerprint() throws {
        let sshd = try startSSHD()
        let empty = try sshd.directory.write("empty_known_hosts", "")
        for path in [empty, sshd.directory.file("missing/known_hosts")] {
            let error = expectHLSError { () throws(HLSError) in try sshd.connect(knownHosts: path) }
            XCTAssertEqual(error?.kind, .failed)
            XCTAssertEqual(error?.place, .host(sshd.endpoint.description))
            XCTAssertTrue(error?.message.contains(sshd.hostKeyFingerprint) ?? false, "\(String(describing: error))")
            XCTAssertTrue(error?.message.contains("not known") ?? false, "\(String(describing: error))")
            XCTAssertTrue(error?.hint?.contains("accept-new") ?? false, "\(String(describing: error))")
            // How to check the fingerprint, and where accepting it records the key.
            XCTAssertTrue(
                error?.hint?.contains("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub") ?? false,
                "\(String(describing: error))")
            XCTAssertTrue(error?.hint?.contains(path) ?? false, "\(String(describing: error))")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sshd.directory.file("missing/known_hosts")))
    }

    func testChangedHostKeyIsRefusedWithBothFingerprints() throws {
        let sshd = try startSSHD()
        let other = try sshd.makeKey(named: "impostor_key")
        let otherKey = try publicKeyFields(other + ".pub")
        let otherFingerprint = try fingerprint(other + ".pub")
        let contents = "# a comment\n\(sshd.knownHostsName) \(otherKey)\n"
        let path = try sshd.directory.write("changed_known_hosts", contents)
        for policy in [SSHHostKeyPolicy.strict, .acceptNew] {
            let error = expectHLSError { () throws(HLSError) in try sshd.connect(knownHosts: path, policy: policy) }
            XCTAssertEqual(error?.kind, .failed)
            XCTAssertEqual(error?.place, .host(sshd.endpoint.description))
            let message = error?.message ?? ""
            XCTAssertTrue(message.contains("CHANGED"), message)
            XCTAssertTrue(message.contains(sshd.hostKeyFingerprint), message)
            XCTAssertTrue(message.contains(otherFingerprint), message)
            XCTAssertTrue(message.contains("\(path):2"), message)
            XCTAssertTrue(error?.hint?.contains("man-in-the-middle") ?? false, "\(String(describing: error))")
        }
        XCTAssertEqual(
            try String(contentsOfFile: path, encoding: .utf8), contents, "a mismatch must not touch the file")
    }

    func testAcceptNewRecordsTheKeyAndTheNextConnectMatches() throws {
        let sshd = try startSSHD()
        let path = sshd.directory.file("fresh/.ssh/known_hosts")
        let first = try sshd.connect(knownHosts: path, policy: .acceptNew)
        XCTAssertEqual(try first.exec("echo first", timeout: .seconds(60)).stdoutText, "first\n")
        let recorded = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(recorded, sshd.knownHostsLine + "\n")

        let second = try sshd.connect(knownHosts: path, policy: .strict)
        XCTAssertEqual(second.hostKey, first.hostKey)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), recorded, "a match must not append")
    }

    func testAcceptNewAppendsToAnExistingFileWithoutTrailingNewline() throws {
        let sshd = try startSSHD()
        let path = try sshd.directory.write(
            "kh", "example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        _ = try sshd.connect(knownHosts: path, policy: .acceptNew)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines.last.map(String.init), sshd.knownHostsLine)
    }

    func testKeyFiledUnderThePlainHostDoesNotCoverAnotherPort() throws {
        let sshd = try startSSHD()
        // OpenSSH files port 22 as `host` and others as `[host]:port`; neither stands in for the other.
        let path = try sshd.directory.write("plain_known_hosts", "127.0.0.1 \(sshd.hostPublicKey)\n")
        let error = expectHLSError { () throws(HLSError) in try sshd.connect(knownHosts: path) }
        XCTAssertTrue(error?.message.contains("not known") ?? false, "\(String(describing: error))")
    }

    func testUnparseableLinesAndOtherHostsAreSkipped() throws {
        let sshd = try startSSHD()
        let zeroKey = "AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        let contents = """
            # comment

            this line is not a known_hosts entry
            @cert-authority *.example.org ssh-ed25519 \(zeroKey)
            other.example.org,10.0.0.1 ssh-ed25519 \(zeroKey)
            \(sshd.knownHostsLine)

            """
        let path = try sshd.directory.write("messy_known_hosts", contents)
        XCTAssertNoThrow(try sshd.connect(knownHosts: path))
    }

    func testOnlyLinesThatCouldNameTheHostGoToLibssh2() {
        let name = "[127.0.0.1]:2222"
        let could = [
            "[127.0.0.1]:2222 ssh-ed25519 AAAA",
            "other,[127.0.0.1]:2222 ssh-ed25519 AAAA",
            "[127.0.0.1]:2222\tssh-ed25519 AAAA",
            "|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAA",
            "other,*.example.org ssh-ed25519 AAAA",
            "[127.0.0.?]:2222 ssh-ed25519 AAAA",
            "!bad,[127.0.0.1]:2222 ssh-ed25519 AAAA",
        ]
        for line in could { XCTAssertTrue(SSHKnownHosts.hostField(of: line.utf8, mayMatch: name), line) }
        let never = [
            "127.0.0.1 ssh-ed25519 AAAA",
            "[127.0.0.1]:22220 ssh-ed25519 AAAA",
            "other.example.org,10.0.0.1 ssh-ed25519 AAAA",
            "ssh-ed25519 [127.0.0.1]:2222",
        ]
        for line in never { XCTAssertFalse(SSHKnownHosts.hostField(of: line.utf8, mayMatch: name), line) }
        XCTAssertTrue(SSHKnownHosts.hostField(of: "Node1.Lab ssh-ed25519 AAAA".utf8, mayMatch: "node1.lab"))
    }

    func testKeyAmongManyOtherHostsIsFoundAndAChangeStillNoticed() throws {
        let sshd = try startSSHD()
        let zeroKey = "AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        let otherKey = String(zeroKey.dropLast(8)) + "EEEEEEEE"
        // Ports below the ephemeral range: the test's sshd (on a port the kernel picked) is never one of them.
        let others = (1...200).map { "[127.0.0.1]:\(1000 + $0) ssh-ed25519 \(otherKey)" }
        let listed = "other.example.org,\(sshd.knownHostsName) \(sshd.hostPublicKey)"
        let path = try sshd.directory.write(
            "many_known_hosts", (others + [listed]).joined(separator: "\r\n") + "\r\n")
        XCTAssertNoThrow(try sshd.connect(knownHosts: path))

        let impostor = try publicKeyFields(try sshd.makeKey(named: "impostor_key") + ".pub")
        let changed = try sshd.directory.write(
            "changed_known_hosts", (others + ["\(sshd.knownHostsName) \(impostor)"]).joined(separator: "\n") + "\n")
        let error = expectHLSError { () throws(HLSError) in try sshd.connect(knownHosts: changed) }
        XCTAssertTrue(error?.message.contains("HAS CHANGED") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains("\(changed):201") ?? false, "\(String(describing: error))")
    }

    func testHashedEntryMatches() throws {
        let sshd = try startSSHD()
        let path = try sshd.directory.write("hashed_known_hosts", sshd.knownHostsLine + "\n")
        let hashed = try runProcess("/usr/bin/ssh-keygen", ["-H", "-f", path])
        XCTAssertEqual(hashed.status, 0, hashed.stderr)
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("|1|"))
        XCTAssertNoThrow(try sshd.connect(knownHosts: path))
    }

    func testRevokedKeyIsRefused() throws {
        let sshd = try startSSHD()
        let path = try sshd.directory.write(
            "revoked_known_hosts", "@revoked * \(sshd.hostPublicKey)\n\(sshd.knownHostsLine)\n")
        let error = expectHLSError { () throws(HLSError) in try sshd.connect(knownHosts: path) }
        XCTAssertTrue(error?.message.contains("revoked") ?? false, "\(String(describing: error))")
    }

    func testSessionKeyTypesMapToKnownHostNames() {
        // LIBSSH2_HOSTKEY_TYPE_* values from libssh2.h.
        XCTAssertEqual(SSHHostKeyType.name(forSessionType: 1), "ssh-rsa")
        XCTAssertEqual(SSHHostKeyType.name(forSessionType: 2), "ssh-dss")
        XCTAssertEqual(SSHHostKeyType.name(forSessionType: 3), "ecdsa-sha2-nistp256")
        XCTAssertEqual(SSHHostKeyType.name(forSessionType: 4), "ecdsa-sha2-nistp384")
        XCTAssertEqual(SSHHostKeyType.name(forSessionType: 5), "ecdsa-sha2-nistp521")
        XCTAssertEqual(SSHHostKeyType.name(forSessionType: 6), "ssh-ed25519")
        XCTAssertNil(SSHHostKeyType.name(forSessionType: 0))
        // LIBSSH2_KNOWNHOST_KEY_* = n << 18.
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 1), 2 << 18)
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 2), 3 << 18)
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 3), 4 << 18)
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 4), 5 << 18)
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 5), 6 << 18)
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 6), 7 << 18)
        XCTAssertEqual(SSHHostKeyType.knownHostMask(forSessionType: 0), 15 << 18)
    }

    private func publicKeyFields(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
    }

    private func fingerprint(_ path: String) throws -> String {
        let result = try runProcess("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", path])
        return String(result.stdout.split(separator: " ")[1])
    }
}

import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Public key authentication with key files.
final class SSHAuthenticationTests: XCTestCase {
    func testExplicitPublicKeyFile() throws {
        let sshd = try startSSHD()
        let identity = SSHIdentity(privateKeyPath: sshd.identityPath, publicKeyPath: sshd.identityPath + ".pub")
        let session = try sshd.connect(identities: [identity])
        XCTAssertEqual(try session.exec("whoami", timeout: .seconds(60)).stdoutText, sshd.user + "\n")
        XCTAssertEqual(try session.exec("echo $HOME", timeout: .seconds(60)).stdoutText, sshd.remoteHome + "\n")
    }

    func testIdentitiesAreTriedInOrderUntilOneIsAccepted() throws {
        let sshd = try startSSHD()
        let stranger = try sshd.makeKey(named: "stranger")
        let identities = [
            SSHIdentity(privateKeyPath: sshd.directory.file("no_such_key")),
            SSHIdentity(privateKeyPath: stranger),
            SSHIdentity(privateKeyPath: sshd.identityPath),
        ]
        let session = try sshd.connect(identities: identities)
        XCTAssertTrue(session.isConnected)
    }

    func testWrongKeyFailsNamingTheKeysTried() throws {
        let sshd = try startSSHD()
        let stranger = try sshd.makeKey(named: "stranger")
        let missing = sshd.directory.file("no_such_key")
        let error = expectHLSError { () throws(HLSError) in
            try sshd.connect(identities: [SSHIdentity(privateKeyPath: missing), SSHIdentity(privateKeyPath: stranger)])
        }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.message, "authentication failed for \(sshd.user)@127.0.0.1:\(sshd.port)")
        XCTAssertEqual(error?.place, .host(sshd.endpoint.description))
        let hint = error?.hint ?? ""
        XCTAssertTrue(hint.contains("\(stranger) (refused by the server)"), hint)
        XCTAssertTrue(hint.contains("\(missing) (no such file)"), hint)
    }

    func testKeyAuthorizedLaterIsAccepted() throws {
        let sshd = try startSSHD()
        let added = try sshd.makeKey(named: "added")
        try sshd.authorize(publicKeyPath: added + ".pub")
        XCTAssertNoThrow(try sshd.connect(identities: [SSHIdentity(privateKeyPath: added)]))
    }

    func testNoIdentitiesSaysSo() throws {
        let sshd = try startSSHD()
        let error = expectHLSError { () throws(HLSError) in try sshd.connect(identities: []) }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertTrue(error?.hint?.contains("no identity files") ?? false, "\(String(describing: error))")
    }

    func testUnreadableKeyFileIsReported() throws {
        let sshd = try startSSHD()
        let garbage = try sshd.directory.write("garbage_key", "not a key\n", mode: 0o600)
        let error = expectHLSError { () throws(HLSError) in
            try sshd.connect(identities: [SSHIdentity(privateKeyPath: garbage)])
        }
        XCTAssertTrue(error?.hint?.contains("\(garbage) (unusable") ?? false, "\(String(describing: error))")
    }
}

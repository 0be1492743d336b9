import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Login through a real ssh-agent, and IdentitiesOnly against a hardened `MaxAuthTries 2`.
final class SSHAgentTests: XCTestCase {
    private func startAgent() throws -> SSHAgentFixture {
        let agent = try SSHAgentFixture.start()
        addTeardownBlock { agent.stop() }
        return agent
    }

    private func startHardenedSSHD() throws -> SSHDFixture {
        let sshd = try SSHDFixture.start(extraConfig: ["MaxAuthTries 2"])
        addTeardownBlock { sshd.stop() }
        return sshd
    }

    /// An agent holding two unauthorized keys and then the authorized one (in that order).
    private func agentWithRightKeyLast(_ sshd: SSHDFixture) throws -> SSHAgentFixture {
        let agent = try startAgent()
        try agent.add(try sshd.makeKey(named: "wrong1"))
        try agent.add(try sshd.makeKey(named: "wrong2"))
        try agent.add(sshd.identityPath)
        return agent
    }

    func testAgentKeyLogsInWithoutKeyFiles() throws {
        let sshd = try startSSHD()
        let agent = try startAgent()
        try agent.add(sshd.identityPath)
        var options = sshd.options(identities: [])
        options.agentSocket = agent.socketPath
        let session = try SSHSession(connectingTo: sshd.endpoint, options: options)
        XCTAssertEqual(try session.exec("echo ok", timeout: .seconds(60)).stdoutText, "ok\n")
    }

    func testIdentitiesOnlyOffersOnlyTheMatchingAgentKeyUnderMaxAuthTries2() throws {
        let sshd = try startHardenedSSHD()
        let agent = try agentWithRightKeyLast(sshd)
        // The private key file is gone: only its .pub says which agent key to use.
        let pub = sshd.identityPath + ".pub"
        try FileManager.default.removeItem(atPath: sshd.identityPath)
        var options = sshd.options(identities: [SSHIdentity(privateKeyPath: sshd.identityPath, publicKeyPath: pub)])
        options.agentSocket = agent.socketPath
        options.identitiesOnly = true
        let session = try SSHSession(connectingTo: sshd.endpoint, options: options)
        XCTAssertTrue(session.isConnected)
        XCTAssertFalse(sshd.log.contains("Too many authentication failures"), sshd.log)
    }

    func testWithoutIdentitiesOnlyTheMatchingAgentKeyStillGoesFirst() throws {
        let sshd = try startHardenedSSHD()
        let agent = try agentWithRightKeyLast(sshd)
        var options = sshd.options()
        options.agentSocket = agent.socketPath
        XCTAssertNoThrow(try SSHSession(connectingTo: sshd.endpoint, options: options))
    }

    func testUnrelatedAgentKeysExhaustMaxAuthTriesWithAHint() throws {
        let sshd = try startHardenedSSHD()
        let agent = try agentWithRightKeyLast(sshd)
        var options = sshd.options(identities: [])
        options.agentSocket = agent.socketPath
        let error = expectHLSError { () throws(HLSError) in
            try SSHSession(connectingTo: sshd.endpoint, options: options)
        }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.message, "authentication failed for \(sshd.endpoint)")
        let hint = error?.hint ?? ""
        XCTAssertTrue(hint.contains("agent key"), hint)
        XCTAssertTrue(hint.contains("MaxAuthTries"), hint)
    }

    func testPassphraseProtectedKeyWorksThroughTheAgent() throws {
        let sshd = try startSSHD()
        let key = try sshd.makeKey(named: "locked", passphrase: "correct horse")
        try sshd.authorize(publicKeyPath: key + ".pub")
        let agent = try startAgent()
        try agent.add(key, passphrase: "correct horse")
        var options = sshd.options(identities: [SSHIdentity(privateKeyPath: key)])
        options.agentSocket = agent.socketPath
        options.identitiesOnly = true
        let session = try SSHSession(connectingTo: sshd.endpoint, options: options)
        XCTAssertEqual(try session.exec("echo unlocked", timeout: .seconds(60)).stdoutText, "unlocked\n")
    }

    func testPassphraseProtectedKeyWithoutAgentSaysToUseTheAgent() throws {
        let sshd = try startSSHD()
        let key = try sshd.makeKey(named: "locked", passphrase: "correct horse")
        try sshd.authorize(publicKeyPath: key + ".pub")
        let error = expectHLSError { () throws(HLSError) in
            try sshd.connect(identities: [SSHIdentity(privateKeyPath: key)])
        }
        XCTAssertEqual(error?.message, "authentication failed for \(sshd.endpoint)")
        let hint = error?.hint ?? ""
        XCTAssertTrue(hint.contains("\(key) (protected by a passphrase"), hint)
        XCTAssertTrue(hint.contains("ssh-add"), hint)
    }

    func testUnreachableAgentFallsBackToKeyFiles() throws {
        let sshd = try startSSHD()
        var options = sshd.options()
        options.agentSocket = sshd.directory.file("no-agent.sock")
        XCTAssertNoThrow(try SSHSession(connectingTo: sshd.endpoint, options: options))
    }
}

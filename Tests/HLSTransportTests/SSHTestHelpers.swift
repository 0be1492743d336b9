import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

extension XCTestCase {
    /// A fresh sshd for this test, stopped in teardown.
    func startSSHD() throws -> SSHDFixture {
        let sshd = try SSHDFixture.start()
        addTeardownBlock { sshd.stop() }
        return sshd
    }
}

extension SSHDFixture {
    var endpoint: SSHEndpoint { SSHEndpoint(user: user, host: host, port: port) }

    func options(
        knownHosts: String? = nil, policy: SSHHostKeyPolicy = .strict, identities: [SSHIdentity]? = nil
    ) -> SSHConnectOptions {
        SSHConnectOptions(
            knownHostsPath: knownHosts ?? knownHostsPath, hostKeyPolicy: policy,
            identities: identities ?? [SSHIdentity(privateKeyPath: identityPath)], connectTimeout: .seconds(30))
    }

    func connect(
        knownHosts: String? = nil, policy: SSHHostKeyPolicy = .strict, identities: [SSHIdentity]? = nil
    ) throws(HLSError) -> SSHSession {
        try SSHSession(
            connectingTo: endpoint, options: options(knownHosts: knownHosts, policy: policy, identities: identities))
    }
}

/// The `HLSError` `body` throws; fails the test when it returns instead.
func expectHLSError<T>(
    _ body: () throws(HLSError) -> T, file: StaticString = #filePath, line: UInt = #line
) -> HLSError? {
    do {
        let value = try body()
        XCTFail("expected an HLSError, got \(value)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// Seconds since `start`.
func secondsSince(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

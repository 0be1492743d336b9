import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import HLSTransport

/// Ad-hoc `user@host:port` targets and how they combine with ssh_config and inventory defaults.
final class SSHTargetTests: XCTestCase {
    func testParseTable() throws {
        let table: [(String, SSHTarget)] = [
            ("node1", SSHTarget(host: "node1")),
            ("root@node1", SSHTarget(user: "root", host: "node1")),
            ("node1:2222", SSHTarget(host: "node1", port: 2222)),
            ("ubuntu@10.0.0.5:22", SSHTarget(user: "ubuntu", host: "10.0.0.5", port: 22)),
            ("[fe80::1]:2200", SSHTarget(host: "fe80::1", port: 2200)),
            ("me@[::1]", SSHTarget(user: "me", host: "::1")),
            ("fd00::5", SSHTarget(host: "fd00::5")),
            ("ssh://a@b:3", SSHTarget(user: "a", host: "b", port: 3)),
        ]
        for (text, expected) in table {
            XCTAssertEqual(try SSHTarget.parse(text), expected, text)
        }
        for bad in ["", "@host", "host:0", "host:http", "[::1", "user@"] {
            let error = expectHLSError { () throws(HLSError) in try SSHTarget.parse(bad) }
            XCTAssertEqual(error?.kind, .usage, bad)
        }
    }

    private func resolver(_ configText: String, environment: [String: String] = [:]) throws -> SSHTargetResolver {
        SSHTargetResolver(
            config: try SSHConfig.parse(configText, file: "config", home: "/home/alice"), home: "/home/alice",
            localUser: "alice", environment: environment)
    }

    func testPrecedenceTargetThenConfigThenInventoryThenDefaults() throws {
        let r = try resolver(
            """
            Host node1
                HostName 127.0.0.1
                Port 40022
                IdentityFile ~/.ssh/lab_%h
            """, environment: ["SSH_AUTH_SOCK": "/tmp/agent.sock"])
        let defaults = SSHTargetDefaults(address: "10.0.0.1", user: "ubuntu", port: 22, identityFiles: ["/k"])

        let plain = try r.resolve("node1", defaults: defaults)
        XCTAssertEqual(plain.endpoint, SSHEndpoint(user: "ubuntu", host: "127.0.0.1", port: 40022))
        XCTAssertEqual(plain.options.identities.map(\.privateKeyPath), ["/home/alice/.ssh/lab_127.0.0.1"])
        XCTAssertEqual(plain.options.knownHostsPath, "/home/alice/.ssh/known_hosts")
        XCTAssertEqual(plain.options.hostKeyPolicy, .strict)
        XCTAssertEqual(plain.options.agentSocket, "/tmp/agent.sock")
        XCTAssertEqual(plain.name, "node1")

        let explicit = try r.resolve("root@node1:2", defaults: defaults)
        XCTAssertEqual(explicit.endpoint, SSHEndpoint(user: "root", host: "127.0.0.1", port: 2))

        let inventoryOnly = try r.resolve("node2", defaults: defaults)
        XCTAssertEqual(inventoryOnly.endpoint, SSHEndpoint(user: "ubuntu", host: "10.0.0.1", port: 22))
        XCTAssertEqual(inventoryOnly.options.identities.map(\.privateKeyPath), ["/k"])

        let bare = try r.resolve("node3")
        XCTAssertEqual(bare.endpoint, SSHEndpoint(user: "alice", host: "node3", port: 22))
    }

    func testHostKeyPolicyLayers() throws {
        var r = try resolver("Host trusting\n  StrictHostKeyChecking accept-new\n")
        XCTAssertEqual(try r.resolve("trusting").options.hostKeyPolicy, .acceptNew)
        XCTAssertEqual(
            try r.resolve("x", defaults: SSHTargetDefaults(hostKeyPolicy: .acceptNew)).options.hostKeyPolicy, .acceptNew
        )
        XCTAssertEqual(try r.resolve("x").options.hostKeyPolicy, .strict)
        r.hostKeyPolicyOverride = .acceptNew
        XCTAssertEqual(try r.resolve("x").options.hostKeyPolicy, .acceptNew)
    }

    func testAgentKnownHostsIdentitiesOnlyAndProxyJump() throws {
        let r = try resolver(
            """
            Host inner
                HostName 192.168.1.10
                ProxyJump admin@bastion:2200
                IdentityAgent none
                IdentitiesOnly yes
                IdentityFile ~/.ssh/inner
                UserKnownHostsFile ~/.ssh/lab_known_hosts
            Host bastion
                HostName bastion.example.net
                ServerAliveInterval 0
            """, environment: ["SSH_AUTH_SOCK": "/tmp/agent.sock"])
        let target = try r.resolve("inner")
        XCTAssertNil(target.options.agentSocket)
        XCTAssertTrue(target.options.identitiesOnly)
        XCTAssertEqual(target.options.knownHostsPath, "/home/alice/.ssh/lab_known_hosts")
        XCTAssertEqual(target.options.keepaliveInterval, .seconds(30))
        XCTAssertEqual(target.jumpHosts.count, 1)
        let hop = target.jumpHosts[0]
        XCTAssertEqual(hop.endpoint, SSHEndpoint(user: "admin", host: "bastion.example.net", port: 2200))
        XCTAssertEqual(hop.options.agentSocket, "/tmp/agent.sock")
        XCTAssertNil(hop.options.keepaliveInterval)
        XCTAssertEqual(target.description, "alice@192.168.1.10:22 via admin@bastion.example.net:2200")
    }

    func testDefaultKeyFilesAreTheExistingOnesInOpenSSHOrder() throws {
        let home = try TemporaryDirectory("hlsh-home")
        try home.write(".ssh/id_rsa", "x")
        try home.write(".ssh/id_ed25519", "x")
        try home.write(".ssh/id_ed25519.pub", "x")
        let r = SSHTargetResolver(config: SSHConfig(), home: home.path, localUser: "alice", environment: [:])
        let target = try r.resolve("h")
        XCTAssertEqual(
            target.options.identities,
            [
                SSHIdentity(
                    privateKeyPath: home.file(".ssh/id_ed25519"), publicKeyPath: home.file(".ssh/id_ed25519.pub")),
                SSHIdentity(privateKeyPath: home.file(".ssh/id_rsa")),
            ])
        XCTAssertFalse(target.options.identitiesOnly)
        XCTAssertNil(target.options.agentSocket)
    }
}

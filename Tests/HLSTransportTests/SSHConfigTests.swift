import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import HLSTransport

/// ssh_config(5) parsing and host matching, without a server.
final class SSHConfigTests: XCTestCase {
    private let home = "/home/alice"

    private func parse(_ text: String) throws -> SSHConfig {
        try SSHConfig.parse(text, file: "config", home: home)
    }

    func testHostPatternsTable() throws {
        let config = try parse(
            """
            Host web? !web9
                User webby
            Host *.lab "db-*"
                User labby
            Host node1 node2
                User nody
            Host *
                User everyone
            """)
        let table: [(String, String)] = [
            ("web1", "webby"), ("WEB2", "webby"), ("web9", "everyone"), ("web10", "everyone"),
            ("x.lab", "labby"), ("db-main", "labby"), ("node2", "nody"), ("node3", "everyone"),
        ]
        for (alias, user) in table {
            XCTAssertEqual(config.resolve(alias: alias).user, user, alias)
        }
    }

    func testFirstValueWinsAndIdentityFilesAccumulate() throws {
        let config = try parse(
            """
            Host pve
                HostName 10.0.0.5
                Port 2222
                IdentityFile ~/.ssh/pve_key
            Host *
                HostName ignored
                Port 22
                User root
                IdentityFile ~/.ssh/id_%h_%r
            """)
        let s = config.resolve(alias: "pve")
        XCTAssertEqual(s.hostName, "10.0.0.5")
        XCTAssertEqual(s.port, 2222)
        XCTAssertEqual(s.user, "root")
        XCTAssertEqual(s.identityFiles, ["/home/alice/.ssh/pve_key", "/home/alice/.ssh/id_%h_%r"])
    }

    func testKeyEqualsValueQuotesCommentsAndCase() throws {
        let config = try parse(
            """
            # a comment
            HOST=box
              hostname = "10.1.2.3"   # trailing comment
              USER='with space'
              identitiesonly=yes
              StrictHostKeyChecking accept-new
              ConnectTimeout=1m30s
              ServerAliveInterval 15
              ServerAliveCountMax 4
              IdentityAgent none
              UserKnownHostsFile ~/.ssh/lab_hosts ~/.ssh/other
              ProxyJump admin@bastion:2200,second
              SomeUnknownKeyword whatever
            """)
        let s = config.resolve(alias: "box")
        XCTAssertEqual(s.hostName, "10.1.2.3")
        XCTAssertEqual(s.user, "with space")
        XCTAssertEqual(s.identitiesOnly, true)
        XCTAssertEqual(s.strictHostKeyChecking, .acceptNew)
        XCTAssertEqual(s.connectTimeout, .seconds(90))
        XCTAssertEqual(s.serverAliveInterval, .seconds(15))
        XCTAssertEqual(s.serverAliveCountMax, 4)
        XCTAssertEqual(s.identityAgent, "none")
        XCTAssertEqual(s.userKnownHostsFiles, ["/home/alice/.ssh/lab_hosts", "/home/alice/.ssh/other"])
        XCTAssertEqual(s.proxyJump, ["admin@bastion:2200", "second"])
        XCTAssertEqual(config.resolve(alias: "other"), SSHHostSettings())
    }

    func testHostNameTokenAndProxyJumpNone() throws {
        let config = try parse(
            """
            Host *.int
                ProxyJump none
            Host *
                HostName %h.example.net
                ProxyJump bastion
            """)
        XCTAssertEqual(config.resolve(alias: "a.int").hostName, "a.int.example.net")
        XCTAssertEqual(config.resolve(alias: "a.int").proxyJump, [])
        XCTAssertEqual(config.resolve(alias: "b").proxyJump, ["bastion"])
    }

    func testStrictHostKeyCheckingValues() throws {
        let table: [(String, SSHStrictHostKeyChecking)] = [
            ("yes", .yes), ("ask", .yes), ("accept-new", .acceptNew), ("no", .no), ("off", .no),
        ]
        for (value, expected) in table {
            XCTAssertEqual(
                try parse("StrictHostKeyChecking \(value)").resolve(alias: "x").strictHostKeyChecking, expected)
        }
        XCTAssertEqual(SSHStrictHostKeyChecking.no.policy, .acceptNew)
        XCTAssertEqual(SSHStrictHostKeyChecking.yes.policy, .strict)
    }

    func testMatchBlocksAreSkippedWithAWarning() throws {
        let config = try parse(
            """
            Match host foo exec "true"
                User matched
            Host foo
                Port 2200
            Match all
                User fallback
            """)
        XCTAssertEqual(config.resolve(alias: "foo").user, "fallback")
        XCTAssertEqual(config.resolve(alias: "foo").port, 2200)
        XCTAssertEqual(config.warnings.count, 1)
        XCTAssertEqual(config.warnings.first?.place.line, 1)
        XCTAssertTrue(config.warnings.first?.message.contains("not supported") ?? false)
    }

    func testBadValuesAreErrorsAtFileAndLine() throws {
        let cases: [(String, String)] = [
            ("Host a\n  Port 99999\n", "bad port"),
            ("Host a\n  Port\n", "needs a value"),
            ("Host a\n  IdentitiesOnly maybe\n", "IdentitiesOnly"),
            ("Host a\n  ConnectTimeout soon\n", "ConnectTimeout"),
            ("Host a\n  User \"unterminated\n", "unterminated quote"),
            ("Host a\n  IdentityFile ~/.ssh/%z\n", "unknown token"),
            ("Host a\n  ProxyJump user@:22\n", "ProxyJump"),
        ]
        for (text, needle) in cases {
            let error = expectHLSError { () throws(HLSError) in try SSHConfig.parse(text, file: "cfg", home: home) }
            XCTAssertEqual(error?.kind, .syntax, text)
            XCTAssertEqual(error?.place, .source(SourceLocation(file: "cfg", line: 2, column: 1)), text)
            XCTAssertTrue(error?.message.contains(needle) ?? false, "\(text): \(String(describing: error))")
            XCTAssertNotNil(error?.hint, text)
        }
    }

    func testIncludeIsRelativeToDotSSHWithGlobs() throws {
        let home = try TemporaryDirectory("hlsh-home")
        try home.write(".ssh/conf.d/10-lab.conf", "Host lab1\n  Port 2201\n")
        try home.write(".ssh/conf.d/20-more.conf", "Host lab2\n  Port 2202\n")
        try home.write(".ssh/conf.d/30-inner.conf", "Port 9\n")
        let main = try home.write(
            ".ssh/config",
            """
            Include conf.d/1*.conf conf.d/2*.conf
            Host never
                Include conf.d/30-inner.conf
            Host *
                Port 22
            """)
        let config = try SSHConfig.load(path: main, home: home.path)
        XCTAssertEqual(config.resolve(alias: "lab1").port, 2201)
        XCTAssertEqual(config.resolve(alias: "lab2").port, 2202)
        // The include inside an inactive Host block does not apply.
        XCTAssertEqual(config.resolve(alias: "other").port, 22)
        XCTAssertEqual(config.resolve(alias: "never").port, 9)
    }

    func testMissingFileIsAnEmptyConfig() throws {
        let config = try SSHConfig.load(path: "/nonexistent/ssh_config", home: home)
        XCTAssertEqual(config.resolve(alias: "x"), SSHHostSettings())
    }

    func testTokenExpansion() {
        let values: [Character: String] = ["h": "node1", "p": "22", "r": "root", "%": "%"]
        XCTAssertEqual(SSHConfigTokens.expand("~/.ssh/%r@%h:%p-100%%", values), "~/.ssh/root@node1:22-100%")
    }
}

import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// A temp HOME with an ssh_config that maps names to sshd fixtures, as the lab simulator
/// hands one to hlsh: each name gets `HostName`, `Port`, `User` and its fixture's key; one
/// known_hosts lists every fixture.
struct SSHLabConfig {
    let home: TemporaryDirectory
    let resolver: SSHTargetResolver

    /// `hosts` maps a name to its fixture; `extra` lines go into each name's block.
    init(_ hosts: [(String, SSHDFixture)], extra: [String: [String]] = [:], knownHosts: [SSHDFixture]? = nil)
        throws
    {
        home = try TemporaryDirectory("hlsh-home")
        var text = ""
        for (name, sshd) in hosts {
            text += "Host \(name)\n  HostName 127.0.0.1\n  Port \(sshd.port)\n  User \(sshd.user)\n"
            text += "  IdentityFile \(sshd.identityPath)\n"
            for line in extra[name] ?? [] { text += "  \(line)\n" }
        }
        text += "Host *\n  UserKnownHostsFile ~/.ssh/known_hosts\n  IdentityAgent none\n  IdentitiesOnly yes\n"
        let configPath = try home.write(".ssh/config", text, mode: 0o600)
        let lines = (knownHosts ?? hosts.map(\.1)).map(\.knownHostsLine).joined(separator: "\n") + "\n"
        try home.write(".ssh/known_hosts", lines, mode: 0o600)
        let config = try SSHConfig.load(path: configPath, home: home.path)
        resolver = SSHTargetResolver(config: config, home: home.path, localUser: hosts[0].1.user, environment: [:])
    }

    func resolve(_ name: String) throws -> SSHResolvedTarget { try resolver.resolve(name) }
}

extension SSHDFixture {
    /// How many logins the server accepted so far (one per SSH connection).
    var acceptedLogins: Int { log.components(separatedBy: "Accepted publickey").count - 1 }
}

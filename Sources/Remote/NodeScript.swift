/// One run of a node script: which script, with which parameters, in check mode or not. It builds
/// the exact bytes sent on stdin to `NodeScript.remoteCommand`, so the command line (visible in
/// `ps` on the node and in logs) never carries a parameter, let alone a secret.
///
/// The scripts are POSIX sh files in `Sources/Remote/NodeScripts`, compiled into the binary. A
/// payload is a preamble of parameter assignments (single-quoted, never exported), then `lib.sh`,
/// then the script, all inside `{ … } </dev/null`: the shell reads the whole payload before it runs
/// anything, and no command it starts can swallow the rest of stdin. The output protocol is
/// described in `lib.sh` and parsed by `NodeReport`.
public struct NodeScript: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// `facts.sh`: OS, kernel, CPU, memory, disks, addresses, swap, uptime, k3s version.
        case facts
        /// `harden.sh`: sshd, sysctl, modules, swap, unattended upgrades, firewall, packages.
        case harden
        /// `disks.sh`: the inventory's data disk formatted (only when empty), in fstab, mounted.
        case disks
        /// `k3s.sh` with `HLSH_K3S_ACTION=install`: pinned k3s, config.yaml, the service.
        case k3s
        /// `k3s.sh` with `HLSH_K3S_ACTION=token`: the server's join token, as a `secret` line.
        case k3sToken = "k3s-token"
    }

    /// The command to run on the node, the same for every script: root, non-interactive sudo
    /// (fails instead of prompting), and a shell that reads its program from stdin. sudo drops
    /// `SSH_CONNECTION`; `env` hands it on, so harden can tell whether its firewall would cut the
    /// address hlsh connects from.
    public static let remoteCommand = #"sudo -n env HLSH_SSH_CONNECTION="$SSH_CONNECTION" sh -s"#

    /// Reads the admin kubeconfig k3s writes (mode 0600, so through sudo); the Swift side
    /// rewrites its server address and names. The same path on real and simulated nodes (a
    /// simulated node's tree is its `/`).
    public static let kubeconfigCommand = "sudo -n cat /etc/rancher/k3s/k3s.yaml"

    public var kind: Kind
    /// Look and report only: nothing on the node changes (`changed` lines then say "would …").
    public var checkMode: Bool
    /// Shell variable assignments, in order (names are `HLSH_*`).
    public var parameters: [(name: String, value: String)]

    public static func facts() -> NodeScript { NodeScript(kind: .facts, checkMode: false, parameters: []) }

    public static func harden(_ parameters: HardenParameters, checkMode: Bool = false) -> NodeScript {
        NodeScript(kind: .harden, checkMode: checkMode, parameters: parameters.assignments)
    }

    public static func disks(_ parameters: DataDiskParameters, checkMode: Bool = false) -> NodeScript {
        NodeScript(kind: .disks, checkMode: checkMode, parameters: parameters.assignments)
    }

    public static func k3s(_ parameters: K3sParameters, checkMode: Bool = false) -> NodeScript {
        NodeScript(kind: .k3s, checkMode: checkMode, parameters: parameters.assignments)
    }

    /// Reads the join token of a k3s server (`/var/lib/rancher/k3s/server/token`); the result is
    /// in `NodeReport.k3sToken`, nil (and the run a success) when k3s has not started there yet.
    public static func k3sToken() -> NodeScript {
        NodeScript(kind: .k3sToken, checkMode: false, parameters: [("HLSH_K3S_ACTION", "token")])
    }

    /// The bytes to send on stdin to `remoteCommand`. They may hold a secret (the k3s token):
    /// send them, never log them.
    public var payload: String {
        var text = "# hlsh node script: \(kind.rawValue)\n{\n"
        text += "HLSH_CHECK=\(checkMode ? 1 : 0)\n"
        for (name, value) in parameters {
            text += "\(name)=\(value.shellQuoted)\n"
        }
        text += NodeScript.source(.lib)
        text += NodeScript.source(kind.file)
        text += "\n} </dev/null\n"
        return text
    }

    /// The values in the payload that must be redacted from anything shown (the k3s token).
    public var secrets: [String] {
        parameters.filter { $0.name == K3sParameters.tokenVariable && !$0.value.isEmpty }.map(\.value)
    }

    public static func == (a: NodeScript, b: NodeScript) -> Bool {
        a.kind == b.kind && a.checkMode == b.checkMode && a.parameters.elementsEqual(b.parameters, by: ==)
    }
}

extension NodeScript {
    /// The shipped script files.
    public enum File: String, Sendable, CaseIterable {
        case lib = "lib.sh"
        case facts = "facts.sh"
        case harden = "harden.sh"
        case disks = "disks.sh"
        case k3s = "k3s.sh"
    }

    /// A shipped script's text, as compiled in.
    public static func source(_ file: File) -> String {
        let bytes: [UInt8]
        switch file {
        case .lib: bytes = PackageResources.lib_sh
        case .facts: bytes = PackageResources.facts_sh
        case .harden: bytes = PackageResources.harden_sh
        case .disks: bytes = PackageResources.disks_sh
        case .k3s: bytes = PackageResources.k3s_sh
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension NodeScript.Kind {
    var file: NodeScript.File {
        switch self {
        case .facts: return .facts
        case .harden: return .harden
        case .disks: return .disks
        case .k3s, .k3sToken: return .k3s
        }
    }
}

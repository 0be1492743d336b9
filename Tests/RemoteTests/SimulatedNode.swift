import Foundation
import HLSCore
import HLSCrypto
import LabSim
import Remote
import TestSupport
import XCTest

/// One finished node script run.
struct NodeRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var report: NodeReport
}

/// A simulated node in a temp dir, on which node scripts run for real: the payload goes on stdin
/// to `NodeScript.remoteCommand`, run by /bin/sh (dash), with the node's stubs first in PATH.
final class SimulatedNode {
    let directory: TemporaryDirectory
    let root: SimulatedNodeRoot

    init(machine: SimulatedNodeRoot.Machine = .init()) throws {
        directory = try TemporaryDirectory("hlsh-node")
        root = try SimulatedNodeRoot.install(at: directory.path + "/root", machine: machine)
        try FileManager.default.createDirectory(atPath: directory.path + "/tmp", withIntermediateDirectories: true)
        // `sh` is dash, as on the Debian/Ubuntu nodes, whatever /bin/sh is here.
        guard FileManager.default.isExecutableFile(atPath: Self.dash) else { throw XCTSkip("no \(Self.dash)") }
        try FileManager.default.createDirectory(atPath: directory.path + "/shell", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/shell/sh", withDestinationPath: Self.dash)
    }

    static let dash = "/usr/bin/dash"

    var environment: [String: String] {
        root.environment(inheriting: [
            "PATH": directory.path + "/shell:/usr/bin:/bin", "TMPDIR": directory.path + "/tmp", "LC_ALL": "C",
        ])
    }

    /// Runs `script` as the node would: `dash -c NodeScript.remoteCommand` with the payload on
    /// stdin, `extra` added to the environment (`SSH_CONNECTION`, as sshd sets it). With
    /// `traceTo`, under `strace -f -v -e execve`, whose log lists every process started.
    func run(_ script: NodeScript, environment extra: [String: String] = [:], traceTo trace: String? = nil) throws
        -> NodeRun
    {
        var executable = Self.dash
        var arguments = ["-c", NodeScript.remoteCommand]
        if let trace {
            arguments = ["-f", "-qq", "-v", "-s", "65536", "-e", "trace=execve", "-o", trace, executable] + arguments
            executable = "/usr/bin/strace"
        }
        let result = try runProcess(
            executable, arguments, stdin: script.payload, environment: environment.merging(extra) { $1 })
        return NodeRun(
            status: result.status, stdout: result.stdout, stderr: result.stderr,
            report: NodeReport(parsing: result.stdout))
    }

    /// Every path under the root with its type, mode and content hash, except the stubs' logs.
    func snapshot() throws -> [String: String] {
        let fm = FileManager.default
        var entries: [String: String] = [:]
        let base = root.path
        for case let relative as String in fm.enumerator(atPath: base)! {
            if relative.hasPrefix("var/log/hlsh-sim") { continue }
            let full = base + "/" + relative
            let attributes = try fm.attributesOfItem(atPath: full)
            let mode = String((attributes[.posixPermissions] as? Int) ?? 0, radix: 8)
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink?:
                entries[relative] = "link " + (try fm.destinationOfSymbolicLink(atPath: full))
            case .typeDirectory?:
                entries[relative] = "dir \(mode)"
            default:
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: full)))
                entries[relative] = "file \(mode) \(Hex.encode(SHA.sha256(bytes)))"
            }
        }
        return entries
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: root.path + path, encoding: .utf8) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root.path + path) }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: root.path + path)[.posixPermissions] as? Int) ?? -1
    }

    /// The stub invocations since `mark` (a count from an earlier `root.commandLog().count`).
    func commands(since mark: Int = 0) -> [String] { Array(root.commandLog().dropFirst(mark)) }

    /// Commands that change the machine, among `commands`.
    static func mutating(_ commands: [String]) -> [String] {
        commands.filter { line in
            let words = line.split(separator: " ").map(String.init)
            guard let name = words.first else { return false }
            switch name {
            case "systemctl":
                return !words.contains { ["is-active", "is-enabled"].contains($0) }
            case "nft": return !(words.contains("-c") || words.contains("list"))
            case "sshd", "dpkg-query", "ip", "sudo", "swapon", "ss", "lsmod", "journalctl", "blkid", "findmnt":
                return false
            case "sysctl": return !words.contains("-n")
            default: return true
            }
        }
    }
}

/// Fails when two snapshots differ, naming only the paths that differ.
func XCTAssertSameTree(
    _ after: [String: String], _ before: [String: String], _ message: String, file: StaticString = #filePath,
    line: UInt = #line
) {
    let paths = Set(after.keys).union(before.keys).filter { after[$0] != before[$0] }.sorted()
    XCTAssert(
        paths.isEmpty,
        "\(message): " + paths.map { "\($0): \(before[$0] ?? "-") → \(after[$0] ?? "-")" }.joined(separator: "\n"),
        file: file, line: line)
}

/// Fails the test with the whole run when a condition does not hold (the output explains a failure).
func XCTAssertRun(
    _ condition: Bool, _ run: NodeRun, _ message: String, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssert(
        condition, "\(message)\n--- status \(run.status)\n--- stdout\n\(run.stdout)--- stderr\n\(run.stderr)",
        file: file, line: line)
}

import Foundation
import HLSCore
import LabSim
import Remote
import TestSupport
import XCTest

/// The node scripts' staging directory (`TMPDIR/hlsh.PID.XXXXXX`, lib.sh), where k3s.sh puts
/// config.yaml with the join token for a moment: gone however a run ends — the SSH session cut
/// (Ctrl-C in hlsh), a signal — and swept by the next run when nothing could remove it (SIGKILL);
/// a file in it that holds the token is never wider than 0600.
final class StagingDirectoryTests: XCTestCase {
    static let token = K3sToken("K10c0ffee0123::server:staging-secret-0123")

    static func agent(startTimeout: Duration) -> K3sParameters {
        K3sParameters(
            role: .agent, version: "v1.31.4+k3s1", nodeIP: "192.168.10.22", serverURL: "https://192.168.10.21:6443",
            token: token, startTimeout: startTimeout)
    }

    /// hlsh's Ctrl-C closes the channel and sshd signals nothing to a command without a terminal:
    /// the script learns it at its next report line, from a closed stdout.
    func testACutSessionMidRunLeavesNoStagingDirectory() throws {
        let node = try SimulatedNode(machine: K3sScriptTests.agentMachine)
        // A token the server refuses: the agent never gets ready, so the script waits in its start
        // loop, then reports the failure (to a closed pipe).
        try node.root.injectFault("k3s-token")
        let run = try RunningScript(.k3s(Self.agent(startTimeout: .seconds(3))), on: node)
        try run.readUntil { $0.contains(" k3s.binary ") }
        assertNoWideSecretFile(in: node)
        run.closeOutput()
        let status = try run.waitForExit()
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(try stagingDirectories(of: node), [], "a cut run left its staging directory")
    }

    /// HUP (a terminal closed), INT (Ctrl-C under `ssh -t`), TERM, sent to the whole process group
    /// as a terminal sends them: the run stops and its staging directory goes.
    func testASignalMidRunLeavesNoStagingDirectory() throws {
        let node = try SimulatedNode(machine: K3sScriptTests.agentMachine)
        try node.root.injectFault("k3s-token")
        for signal in [SIGHUP, SIGINT, SIGTERM] {
            let run = try RunningScript(.k3s(Self.agent(startTimeout: .seconds(60))), on: node)
            try run.readUntil { $0.contains(" k3s.binary ") }
            assertNoWideSecretFile(in: node)
            XCTAssertEqual(try stagingDirectories(of: node).count, 1)
            run.signalGroup(signal)
            // dash ends by the signal itself when its foreground child died of it (INT, TERM).
            XCTAssertNotEqual(try run.waitForExit(), 0, "signal \(signal)")
            XCTAssertEqual(try stagingDirectories(of: node), [], "signal \(signal) left the staging directory")
        }
    }

    /// What no trap catches (SIGKILL, a power cut, an hlsh before the PIPE trap) is swept by the
    /// next run: hlsh's own directories whose shell is gone, and old-style ones untouched for 10
    /// minutes; a running run's, a fresh old-style one and anything else stay.
    func testTheNextRunSweepsStagingDirectoriesThatEarlierRunsLeft() throws {
        let node = try SimulatedNode()
        let tmp = node.directory.file("tmp")
        let fm = FileManager.default
        let ended = try runProcess("/bin/sh", ["-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let killed = "hlsh.\(ended).AbC123"
        let running = "hlsh.\(getpid()).LiVe12"
        let oldStyle = "hlsh.Xy12Z9"
        let freshOldStyle = "hlsh.Ab12Cd"
        for name in [killed, running, oldStyle, freshOldStyle, "hlsh-other", "hlsh.notes"] {
            try fm.createDirectory(atPath: "\(tmp)/\(name)", withIntermediateDirectories: false)
        }
        try fm.createSymbolicLink(atPath: "\(tmp)/hlsh.1.LiNk12", withDestinationPath: tmp + "/hlsh-other")
        try Data("token: '\(Self.token.value)'\n".utf8).write(to: URL(fileURLWithPath: "\(tmp)/\(killed)/config.yaml"))
        let hourAgo = Date(timeIntervalSinceNow: -3600)
        try fm.setAttributes([.modificationDate: hourAgo], ofItemAtPath: "\(tmp)/\(oldStyle)")

        let run = try node.run(.k3sToken())
        XCTAssertRun(run.status == 0, run, "the token read failed")
        XCTAssertEqual(
            try fm.contentsOfDirectory(atPath: tmp).sorted(),
            [freshOldStyle, "hlsh-other", "hlsh.1.LiNk12", running, "hlsh.notes"].sorted())
    }

    func stagingDirectories(of node: SimulatedNode) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: node.directory.file("tmp")).filter { $0.hasPrefix("hlsh.") }
    }

    /// Every file under the node's TMPDIR that holds the token is 0600 or narrower.
    func assertNoWideSecretFile(in node: SimulatedNode, file: StaticString = #filePath, line: UInt = #line) {
        let tmp = node.directory.file("tmp")
        let fm = FileManager.default
        for case let relative as String in fm.enumerator(atPath: tmp)! {
            let path = tmp + "/" + relative
            guard let data = fm.contents(atPath: path),
                String(decoding: data, as: UTF8.self).contains(Self.token.value),
                let mode = try? fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            else { continue }
            XCTAssertEqual(
                mode & 0o077, 0, "\(relative) holds the token at mode \(String(mode, radix: 8))", file: file, line: line
            )
        }
    }
}

/// A node script running in the background as `NodeScript.remoteCommand` under dash, in a
/// process group of its own (as a terminal's foreground job is), its stdout a pipe that the test
/// reads and may close (as sshd's end of a cut channel).
final class RunningScript {
    let process = Process()
    let output = Pipe()
    var seen = ""
    let exited = DispatchSemaphore(value: 0)

    init(_ script: NodeScript, on node: SimulatedNode) throws {
        // Foundation starts the child as the leader of a process group of its own.
        process.executableURL = URL(fileURLWithPath: SimulatedNode.dash)
        process.arguments = ["-c", NodeScript.remoteCommand]
        process.environment = node.environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
        input.fileHandleForWriting.write(Data(script.payload.utf8))
        try input.fileHandleForWriting.close()
    }

    /// Reads stdout until a line satisfies `done`; fails when the script ends first.
    func readUntil(_ done: (Substring) -> Bool) throws {
        while !seen.split(separator: "\n").contains(where: done) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                XCTFail("the script ended before the line awaited; output: \(seen)")
                throw HLSError(.failed, "the script ended early")
            }
            seen += String(decoding: chunk, as: UTF8.self)
        }
    }

    func closeOutput() { try? output.fileHandleForReading.close() }

    func signalGroup(_ signal: Int32) {
        XCTAssertEqual(getpgid(process.processIdentifier), process.processIdentifier, "not a group of its own")
        kill(-process.processIdentifier, signal)
    }

    /// The exit status, once the script has ended (a minute at most).
    func waitForExit() throws -> Int32 {
        guard exited.wait(timeout: .now() + 60) == .success else {
            kill(-process.processIdentifier, SIGKILL)
            XCTFail("the script did not end")
            throw HLSError(.failed, "script did not end")
        }
        return process.terminationStatus
    }
}

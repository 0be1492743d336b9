import Foundation
import TestSupport
import XCTest

/// `hlsh --sim` ended by a signal: SIGTERM and SIGHUP (a closed terminal) stop the simulated lab
/// and remove its directory; after SIGKILL the simulated nodes' sshd processes still die.
/// The lab's directory is found through `TMPDIR`, which each test points at a directory of its own.
final class SimulatedLabSignalTests: XCTestCase {
    var home: TemporaryDirectory!
    var temp: TemporaryDirectory!

    override func setUpWithError() throws {
        home = try TemporaryDirectory("hlsh-sig-home")
        temp = try TemporaryDirectory("hlsh-sig-tmp")
        try FileManager.default.createDirectory(atPath: home.file(".ssh"), withIntermediateDirectories: true)
        let keygen = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", home.file(".ssh/id_ed25519")])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        // Whatever a failing test leaves running goes with it.
        // XCTest keeps every test case object until the run ends: release the directories with the test.
        addTeardownBlock { [self] in
            for pid in simulatedNodeProcesses { kill(pid, SIGKILL) }
            home = nil
            temp = nil
        }
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["HOME"] = home.path
        env["XDG_STATE_HOME"] = home.file("state")
        env["TMPDIR"] = temp.path
        return env
    }

    /// A script that boots one VM (so an sshd runs) and then waits.
    static let bootThenWait = """
        lab use "\(SimulatedLabBinaryTests.repository)/scripts/homelab.yaml" | get name
        vm apply k3s-cp-01 | count
        sleep 120s
        """

    /// `hlsh --sim -c bootThenWait` in the background, once its node's sshd runs.
    func startBooted() throws -> (SpawnedProcess, log: String) {
        let log = temp.file("hlsh.log")
        let hlsh = try SpawnedProcess(
            BuiltBinary.hlsh, ["--sim", "-c", Self.bootThenWait], environment: environment, stdoutPath: log,
            stderrPath: nil, append: false)
        addTeardownBlock { hlsh.kill() }
        try waitUntil(timeout: 60, "an sshd of the simulated lab") { !self.simulatedNodeProcesses.isEmpty }
        return (hlsh, log)
    }

    /// `hlsh-sim-*` directories left in the test's temporary directory.
    var simulatedLabDirectories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: temp.path)) ?? []).filter { $0.hasPrefix("hlsh-sim-") }
    }

    /// Processes whose command line names a file in this test's temporary directory (the nodes' sshd).
    var simulatedNodeProcesses: [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            // sshd rewrites its command line (`sshd: /usr/sbin/sshd -D -e -f … [listener]`).
            let line = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            return line.contains("sshd") && line.contains(temp.path + "/")
        }
    }

    func waitUntil(timeout: TimeInterval, _ what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOfFile: temp.file("hlsh.log"), encoding: .utf8)) ?? ""
        XCTFail("timed out waiting for \(what); hlsh printed:\n\(log)")
        throw XCTSkip("precondition not met")
    }

    func testSIGTERMStopsTheLabRemovesItsDirectoryAndExits143() throws {
        let (hlsh, log) = try startBooted()
        kill(hlsh.pid, SIGTERM)
        let status = hlsh.wait()
        XCTAssertEqual(status, 128 + SIGTERM, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        XCTAssertEqual(simulatedLabDirectories, [])
        XCTAssertEqual(simulatedNodeProcesses, [])
    }

    func testSIGHUPStopsTheLabRemovesItsDirectoryAndExits129() throws {
        let (hlsh, _) = try startBooted()
        kill(hlsh.pid, SIGHUP)
        XCTAssertEqual(hlsh.wait(), 128 + SIGHUP)
        XCTAssertEqual(simulatedLabDirectories, [])
        XCTAssertEqual(simulatedNodeProcesses, [])
    }

    func testTheSimulatedNodesDieWithHlshEvenOnSIGKILL() throws {
        let (hlsh, _) = try startBooted()
        hlsh.kill()
        try waitUntil(timeout: 5, "the nodes' sshd to end after hlsh's SIGKILL") {
            self.simulatedNodeProcesses.isEmpty
        }
    }

    func testANormalExitLeavesNoDirectoryAndNoNode() throws {
        let result = try runProcess(
            BuiltBinary.hlsh,
            ["--sim", "-c", #"lab use "scripts/homelab.yaml" | get name; vm apply k3s-cp-01 | count; sleep 1s"#],
            environment: environment, currentDirectory: SimulatedLabBinaryTests.repository)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(simulatedLabDirectories, [])
        XCTAssertEqual(simulatedNodeProcesses, [])
    }

    /// Closing the terminal of an interactive `hlsh --sim` (tmux sends SIGHUP) cleans up too —
    /// before, every run of the shell's tmux tests left an `hlsh-sim-PID` directory behind.
    func testClosingTheTerminalOfTheShellCleansUp() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        var env = ["HOME": home.path, "XDG_STATE_HOME": home.file("state"), "NO_COLOR": "1", "TERM": "xterm-256color"]
        env["TMPDIR"] = temp.path
        let t = try TmuxTerminal(
            command: [BuiltBinary.hlsh, "--sim"], environment: env, directory: SimulatedLabBinaryTests.repository)
        try t.waitFor("the prompt") { $0.contains("hlsh> ") }
        try t.type(#"lab use "scripts/homelab.yaml" | get name"#)
        try t.press("Enter")
        try t.type("vm apply k3s-cp-01 | count")
        try t.press("Enter")
        try waitUntil(timeout: 60, "an sshd of the simulated lab") { !self.simulatedNodeProcesses.isEmpty }
        let pid = try XCTUnwrap(t.pid)
        t.close()
        try waitUntil(timeout: 10, "hlsh to end") { !TmuxTerminal.isAlive(pid) }
        XCTAssertEqual(simulatedLabDirectories, [])
        XCTAssertEqual(simulatedNodeProcesses, [])
    }
}

import Foundation
import TestSupport
import XCTest

/// The runbook flags end to end, through the built binary: Ctrl-C, `--log`, `--resume`.
final class RunbookBinaryTests: XCTestCase {
    func testCtrlCStopsAScriptWithExit130() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.hlsh)
        process.arguments = ["-c", "echo started\nsleep 60s\necho never"]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Wait until the script is running (it has printed), then press Ctrl-C.
        let started = out.fileHandleForReading.availableData
        XCTAssertEqual(String(decoding: started, as: UTF8.self), "started\n")
        let sent = ContinuousClock.now
        process.interrupt()
        process.waitUntilExit()
        XCTAssertLessThan(ContinuousClock.now - sent, .seconds(20), "Ctrl-C should end the sleep at once")
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 130)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(stderr.contains("error: interrupted"), stderr)
        XCTAssertEqual(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), "")
    }

    func testResumeAndTheRunLogThroughTheBinary() throws {
        let dir = try TemporaryDirectory("hlsh-runbook")
        try dir.write(
            "site.hls",
            """
            phase "one" { echo one }
            phase "two" {
                echo two
                assert ($args | first) != "fail" "two failed"
            }

            """)
        let env = ["XDG_STATE_HOME": dir.file("state")]
        let failed = try BuiltBinary.run(
            ["--log", "run.jsonl", "site.hls", "fail"], environment: env, currentDirectory: dir.path)
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertEqual(failed.stdout, "one\ntwo\n")

        let resumed = try BuiltBinary.run(
            ["--resume", "--log", "run.jsonl", "site.hls"], environment: env, currentDirectory: dir.path)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.stdout, "two\n")
        XCTAssertTrue(resumed.stderr.contains("↷ phase one: skipped, completed in the last run"), resumed.stderr)

        let log = try String(contentsOfFile: dir.file("run.jsonl"), encoding: .utf8)
        let events = try log.split(separator: "\n").map { line -> String in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return "\(object["event"] ?? "?") \(object["phase"] ?? "")".trimmingCharacters(in: .whitespaces)
        }
        XCTAssertEqual(
            events,
            [
                // `echo` and `first` are the commands.
                "phase_start one", "command", "phase_end one", "phase_start two", "command", "command", "phase_end two",
                "error", "phase_skipped one", "phase_start two", "command", "command", "phase_end two",
            ])
    }
}

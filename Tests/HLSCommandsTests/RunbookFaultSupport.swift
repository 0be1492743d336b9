import Foundation
import HLSLanguage
import TestSupport
import XCTest

extension RunOptions {
    /// `--resume`.
    static var resuming: RunOptions {
        var options = RunOptions()
        options.resume = true
        return options
    }
}

/// The runbook's phases on a `LabHarness` lab with a fault injected: the scripts cut to the
/// phase under test, and the check that a run stopped naming the phase, the step and the cause.
extension XCTestCase {
    /// A copy of the repository's scripts/ (bootstrap.hls, homelab.yaml, phases/) in the lab's
    /// folder, with `text` replaced by `replacement` in the phase scripts; its path, ending in `/`.
    func copyOfScripts(in lab: LabHarness, replacing text: String, with replacement: String) throws -> String {
        let scripts = LabHarness.repository + "/scripts/"
        for file in ["bootstrap.hls", "homelab.yaml"] {
            try lab.home.write("scripts/" + file, try String(contentsOfFile: scripts + file, encoding: .utf8))
        }
        var replaced = false
        for file in try FileManager.default.contentsOfDirectory(atPath: scripts + "phases") {
            let original = try String(contentsOfFile: scripts + "phases/" + file, encoding: .utf8)
            replaced = replaced || original.contains(text)
            try lab.home.write("scripts/phases/" + file, original.replacing(text, with: replacement))
        }
        XCTAssertTrue(replaced, "no phase script has \(text)")
        return lab.home.file("scripts/")
    }

    /// scripts/bootstrap.hls up to phase `last`, in the lab's folder, sourcing the phases/ and
    /// inventory of `scripts` (the repository's by default).
    func bootstrapThrough(
        phase last: Int, in lab: LabHarness, scripts: String = LabHarness.repository + "/scripts/"
    ) throws -> String {
        let text = try String(contentsOfFile: scripts + "bootstrap.hls", encoding: .utf8)
        let kept = text.components(separatedBy: "\n").filter { line in
            guard line.hasPrefix("phase \""), let number = Int(line.dropFirst(7).prefix { $0.isNumber }) else {
                return !line.hasPrefix("let ready") && !line.hasPrefix("echo") && !line.hasPrefix("node list")
            }
            return number <= last
        }.map {
            $0.replacing("source \"phases/", with: "source \"\(scripts)phases/")
                .replacing("lab use \"homelab.yaml\"", with: "lab use \"\(scripts)homelab.yaml\"")
        }
        XCTAssertEqual(kept.filter { $0.hasPrefix("phase ") }.count, last, text)
        return try lab.home.write("bootstrap-\(last).hls", kept.joined(separator: "\n"))
    }

    /// The run stopped (exit 1) in `phase`, naming the step (`statement` of phases/`file`, shown
    /// as `verb`) and the cause (`cause`).
    func assertStopped(
        _ run: (status: Int32, out: String, err: String), in phase: String, at statement: String, of file: String,
        verb: String, cause: String, scripts: String = LabHarness.repository + "/scripts/",
        file source: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(run.status, 1, run.err, file: source, line: line)
        XCTAssertTrue(run.err.contains("✗ phase \(phase) failed"), run.err, file: source, line: line)
        XCTAssertTrue(
            run.err.contains(" at \(try step(statement, in: file, scripts: scripts)) (\(verb))\n"),
            "the step: \(run.err)",
            file: source, line: line)
        XCTAssertTrue(run.err.contains(cause), "the cause: \(run.err)", file: source, line: line)
    }

    /// Where `statement` starts in phases/`file` of `scripts`, as `FILE:LINE:COLUMN`.
    func step(_ statement: String, in file: String, scripts: String = LabHarness.repository + "/scripts/") throws
        -> String
    {
        let file = scripts + "phases/" + file
        let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        let index = try XCTUnwrap(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(statement) })
        let column = lines[index].prefix { $0 == " " }.count + 1
        return "\(file):\(index + 1):\(column)"
    }
}

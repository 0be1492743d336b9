import Foundation
import TestSupport
import XCTest

/// Golden tests: run the built `hlsh` and compare what a user sees — exit status, standard
/// output, standard error — with a committed snapshot in `Golden/<name>.txt`.
/// `HLSH_UPDATE_GOLDEN=1 swift test --filter HLSHTests` rewrites the snapshots; review the diff.
extension XCTestCase {
    static var goldenDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    }

    /// Runs hlsh with `arguments` in a fresh directory holding `files`, asserts its exit status,
    /// and compares the whole transcript with the snapshot `name`.
    func assertGolden(
        _ name: String, _ arguments: [String], status: Int32, stdin: String? = nil, files: [String: String] = [:],
        environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let dir = try TemporaryDirectory("hlsh-golden")
        for (path, text) in files { try dir.write(path, text) }
        var env = ["XDG_STATE_HOME": dir.file("state"), "COLUMNS": "", "HOME": dir.path]
        for (k, v) in environment { env[k] = v }
        let result = try BuiltBinary.run(arguments, stdin: stdin, environment: env, currentDirectory: dir.path)
        XCTAssertEqual(
            result.status, status, "exit status of hlsh \(arguments)\n\(result.stderr)", file: file, line: line)

        let transcript = Golden.transcript(arguments: arguments, stdin: stdin, result: result, directory: dir.path)
        let path = Self.goldenDirectory + "/\(name).txt"
        if ProcessInfo.processInfo.environment["HLSH_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: Self.goldenDirectory, withIntermediateDirectories: true)
            try transcript.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            XCTFail("no snapshot \(path); run with HLSH_UPDATE_GOLDEN=1 to record it", file: file, line: line)
            return
        }
        if transcript != expected {
            XCTFail(
                "hlsh \(arguments) differs from Golden/\(name).txt (HLSH_UPDATE_GOLDEN=1 rewrites it)\n"
                    + Golden.difference(expected: expected, actual: transcript), file: file, line: line)
        }
    }
}

enum Golden {
    /// The readable record of one run: the command, its input, exit status and both streams.
    /// Escape characters show as `␛` and the run's temporary directory as `$TMP`.
    static func transcript(arguments: [String], stdin: String?, result: ProcessResult, directory: String) -> String {
        func clean(_ text: String) -> String {
            text.replacingOccurrences(of: directory, with: "$TMP").replacingOccurrences(of: "\u{1B}", with: "␛")
        }
        var out = (["$ hlsh"] + arguments.map(quote)).joined(separator: " ") + "\n"
        if let stdin { out += "--- stdin\n" + clean(stdin) + (stdin.hasSuffix("\n") || stdin.isEmpty ? "" : "⏎\n") }
        out += "--- exit \(result.status)\n"
        out +=
            "--- stdout\n" + clean(result.stdout)
            + (result.stdout.hasSuffix("\n") || result.stdout.isEmpty ? "" : "⏎\n")
        out +=
            "--- stderr\n" + clean(result.stderr)
            + (result.stderr.hasSuffix("\n") || result.stderr.isEmpty ? "" : "⏎\n")
        return out
    }

    static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=".contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The first differing line, with both versions.
    static func difference(expected: String, actual: String) -> String {
        let e = expected.components(separatedBy: "\n")
        let a = actual.components(separatedBy: "\n")
        for i in 0..<max(e.count, a.count) {
            let x = i < e.count ? e[i] : "<end>"
            let y = i < a.count ? a[i] : "<end>"
            if x != y { return "line \(i + 1):\n  expected: \(x)\n  actual:   \(y)\n--- actual transcript\n\(actual)" }
        }
        return ""
    }
}

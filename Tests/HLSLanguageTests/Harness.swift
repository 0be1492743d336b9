import Foundation
import HLSCore
import HLSLanguage
import Synchronization
import XCTest

/// Text written to a captured stream, safe to append to from `parallel for` threads.
final class CapturedText: Sendable {
    private let text = Mutex("")

    func append(_ more: String) { text.withLock { $0 += more } }
    var value: String { text.withLock { $0 } }
}

/// A value shared with another thread.
final class Locked<T: Sendable>: Sendable {
    private let state: Mutex<T>

    init(_ value: T) { state = Mutex(value) }

    func set(_ value: T) { state.withLock { $0 = value } }
    var value: T { state.withLock { $0 } }
}

/// What a script run printed and how it ended.
struct RunResult {
    var status: Int32
    var out: String
    var err: String
    var context: ExecutionContext
}

/// Runs `.hls` code in-process, the way `hlsh` does (the same `ScriptRunner`), with standard
/// output and standard error captured.
struct HLS {
    var registry = Builtins.registry
    var options = RunOptions()
    var environment: [String: String] = [:]
    var cancellation = Cancellation()
    var stdoutTerminal = Terminal.plain
    /// The terminal `confirm` asks on; nil: none, as under a pipe.
    var ask: (@Sendable (String) throws(HLSError) -> String?)? = nil

    /// A context whose streams go to fresh buffers.
    func context(out: CapturedText, err: CapturedText) -> ExecutionContext {
        ExecutionContext(
            options: options, environment: environment, cancellation: cancellation, stdoutTerminal: stdoutTerminal,
            log: RunLog(path: options.logPath), ask: ask, out: { out.append($0) }, err: { err.append($0) })
    }

    /// Runs `code` as a script named `name`; `scriptPath` keys the `--resume` journal.
    func run(
        _ code: String, name: String = "test.hls", arguments: [String] = [], scriptPath: String? = nil,
        out: CapturedText = CapturedText(), err: CapturedText = CapturedText()
    ) -> RunResult {
        let context = context(out: out, err: err)
        let runner = ScriptRunner(interpreter: Interpreter(registry: registry, context: context), color: false)
        let status = runner.run(SourceFile(name: name, text: code), arguments: arguments, scriptPath: scriptPath)
        return RunResult(status: status, out: out.value, err: err.value, context: context)
    }

    /// Runs a script file from disk, as `hlsh FILE ARGS` does.
    func run(file path: String, arguments: [String] = []) throws -> RunResult {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return run(text, name: path, arguments: arguments, scriptPath: path)
    }

    /// The parser's diagnostics for `code`. `hlsh -n`'s check, which drops each top-level
    /// statement once parsed (`Parser.check`), must find the same ones: every diagnostic test
    /// pins both.
    func diagnostics(_ code: String, name: String = "test.hls") -> [Diagnostic] {
        let source = SourceFile(name: name, text: code)
        let parsed = Parser.parse(source, registry: registry).1
        XCTAssertEqual(Parser.check(source, registry: registry).diagnostics, parsed, "Parser.check differs from parse")
        return parsed
    }
}

extension XCTestCase {
    /// Runs `code` and asserts it succeeded; returns what it printed on standard output.
    @discardableResult
    func output(
        _ code: String, _ hls: HLS = HLS(), file: StaticString = #filePath, line: UInt = #line
    ) -> String {
        let result = hls.run(code)
        XCTAssertEqual(result.status, 0, "stderr: \(result.err)", file: file, line: line)
        return result.out
    }

    /// Runs `code`, expecting it to fail at run time (exit 1); returns standard error.
    @discardableResult
    func failure(
        _ code: String, status: Int32 = 1, _ hls: HLS = HLS(), file: StaticString = #filePath, line: UInt = #line
    ) -> String {
        let result = hls.run(code)
        XCTAssertEqual(result.status, status, "stdout: \(result.out)\nstderr: \(result.err)", file: file, line: line)
        return result.err
    }

    /// The value of one expression, printed as `echo` prints it.
    func echo(_ expression: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        var text = output("echo (\(expression))", file: file, line: line)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

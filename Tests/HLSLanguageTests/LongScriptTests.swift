import HLSCore
import HLSLanguage
import XCTest

/// A long script is parsed through a window of tokens: the parser reads tokens as it needs
/// them and forgets those (and the values of their strings and variables) of finished
/// top-level statements. What it reads, and where its errors are, must not depend on where a
/// statement falls in the file.
final class LongScriptTests: XCTestCase {
    /// Statements whose parse looks past their end (`if … { }` then a newline, in case `elif`
    /// follows) with strings and variables right after, repeated far past the window.
    func statements(_ count: Int) -> String {
        (0..<count).map { i in
            "if $n == \(i) { echo \"hit $n\" }\necho \"line \(i): $x\" 'raw \(i)' $x.name (\"in \(i) $($x.name)\")\n"
        }.joined()
    }

    func testValuesOfStringsAndVariablesSurviveTheWindowMoving() {
        let count = 400
        let out = output("let n = 250\nlet x = {name: vm}\n" + statements(count))
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, count + 1)
        XCTAssertEqual(lines[0], "line 0: {name: vm} raw 0 vm in 0 vm")
        XCTAssertEqual(lines[250], "hit 250")
        XCTAssertEqual(lines[251], "line 250: {name: vm} raw 250 vm in 250 vm")
        XCTAssertEqual(lines[count], "line \(count - 1): {name: vm} raw \(count - 1) vm in \(count - 1) vm")
    }

    func testErrorsFarIntoAScriptKeepTheirPlaceAndOrder() {
        let head = "let n = 1\nlet x = {name: vm}\n" + statements(300)
        assertDiagnostics(
            head + "echo (1 + 1️⃣)\nvm 2️⃣shwo\necho 3️⃣\"open $x\n",
            [
                ("1️⃣", "expected a value, found ')'", nil),
                ("2️⃣", "unknown verb 'shwo' for 'vm'", nil),
                ("3️⃣", "unterminated string", nil),
            ], hls: HLS(registry: testRegistry(Recorder())))
    }

    /// `hlsh -n` drops each top-level statement once it is parsed (`Parser.check`), but a call
    /// of a `def` written hundreds of lines further down is still known, a misspelt one still
    /// reported, and nothing else: the same diagnostics as a full parse (`diagnostics` compares).
    func testACheckWithoutTheTreeStillKnowsDefinitionsWrittenFurtherDown() {
        let hls = HLS(registry: testRegistry(Recorder()))
        let marked = MarkedSource(
            "let n = 1\nlet x = {name: vm}\ngreet lab\n" + statements(300)
                + "def greet(who) { echo \"hi $who\" }\n1️⃣great lab\n")
        let diagnostics = hls.diagnostics(marked.text)
        XCTAssertEqual(diagnostics.map(\.message), ["unknown command 'great'"])
        XCTAssertEqual(diagnostics.map { "\($0.location.line):\($0.location.column)" }, [marked["1️⃣"]])
        let context = hls.context(out: CapturedText(), err: CapturedText())
        let runner = ScriptRunner(interpreter: Interpreter(registry: hls.registry, context: context), color: false)
        let clean = "greet lab\n" + statements(300) + "def greet(who) { echo $who }\n"
        XCTAssertEqual(runner.check(SourceFile(name: "ok.hls", text: clean)), 0)
    }
}

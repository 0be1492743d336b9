import Foundation
import HLSCore
import HLSLanguage
import XCTest

final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [Tokens.Lexeme] {
        var lexer = Lexer(source: SourceFile(name: "t", text: text))
        return lexer.tokenize().lexemes
    }

    func testShellLikeWordsStayWhole() {
        XCTAssertEqual(
            kinds("node k3s agent k3s-wk-01 --server k3s-cp-01 kubernetes/clusters/homelab"),
            [
                .word("node"), .word("k3s"), .word("agent"), .word("k3s-wk-01"), .word("--server"), .word("k3s-cp-01"),
                .word("kubernetes/clusters/homelab"), .eof,
            ])
    }

    func testOperatorsAreWordsThatStandAlone() {
        XCTAssertEqual(kinds("$a + 1"), [.variable(name: "a", path: []), .word("+"), .word("1"), .eof])
        XCTAssertEqual(kinds("a+1"), [.word("a+1"), .eof])
    }

    func testVariablesCarryTheirFieldPath() {
        XCTAssertEqual(kinds("$vm.disks.0"), [.variable(name: "vm", path: ["disks", "0"]), .eof])
        XCTAssertEqual(kinds("$x."), [.variable(name: "x", path: []), .word("."), .eof])
    }

    func testCommentsRunToTheEndOfTheLine() {
        XCTAssertEqual(
            kinds("echo a # not b\necho c"), [.word("echo"), .word("a"), .newline, .word("echo"), .word("c"), .eof])
    }

    func testSemicolonAndNewlineEndStatements() {
        XCTAssertEqual(kinds("a; b\nc"), [.word("a"), .semicolon, .word("b"), .newline, .word("c"), .eof])
    }

    func testTrailingBackslashContinuesTheLine() {
        XCTAssertEqual(kinds("echo a \\\n  b"), [.word("echo"), .word("a"), .word("b"), .eof])
        XCTAssertEqual(kinds("echo a \\\r\n  b"), [.word("echo"), .word("a"), .word("b"), .eof])
    }

    func testNewlinesInsideParenthesesAndBracketsAreSpaces() {
        XCTAssertEqual(kinds("[1,\n2]"), [.lbracket, .word("1"), .comma, .word("2"), .rbracket, .eof])
        XCTAssertEqual(kinds("(a\n| b)"), [.lparen, .word("a"), .pipe, .word("b"), .rparen, .eof])
    }

    func testNewlinesInsideBracesSeparateStatements() {
        XCTAssertEqual(kinds("{a\nb}"), [.lbrace, .word("a"), .newline, .word("b"), .rbrace, .eof])
    }

    func testSingleQuotedStringsAreRaw() {
        XCTAssertEqual(kinds(#"'$x \n it\'s'"#), [.rawString(#"$x \n it's"#), .eof])
    }

    func testDoubleQuotedStringsSplitIntoTextAndInterpolations() {
        let tokens = kinds(#""up: $n nodes\t$(count)""#)
        guard case .template(let parts) = tokens.first else { return XCTFail("\(tokens)") }
        XCTAssertEqual(parts.count, 4)
        XCTAssertEqual(parts[0], .literal("up: "))
        guard case .variable("n", [], _) = parts[1] else { return XCTFail("\(parts[1])") }
        XCTAssertEqual(parts[2], .literal(" nodes\t"))
        guard case .subexpression = parts[3] else { return XCTFail("\(parts[3])") }
    }

    func testEscapedDollarIsText() {
        XCTAssertEqual(kinds(#""cost: \$5""#), [.template([.literal("cost: $5")]), .eof])
    }

    func testDollarParenOutsideAStringIsAParenthesis() {
        XCTAssertEqual(kinds("$(a)"), [.lparen, .word("a"), .rparen, .eof])
    }

    func testColumnsCountCharactersNotBytes() {
        var lexer = Lexer(source: SourceFile(name: "t", text: "echo \"é✓\" x"))
        let tokens = lexer.tokenize()
        XCTAssertEqual(tokens.tokens[2].location.column, 11)
    }

    func testAnUnterminatedStringIsReportedWhereItBegins() {
        let source = MarkedSource("echo 1️⃣\"open")
        var lexer = Lexer(source: SourceFile(name: "t", text: source.text))
        _ = lexer.tokenize()
        XCTAssertEqual(lexer.diagnostics.map { "\($0.location.line):\($0.location.column)" }, [source["1️⃣"]])
        XCTAssertEqual(lexer.diagnostics.first?.message, "unterminated string")
    }

    func testRecordKeysEndAtTheirColon() {
        XCTAssertEqual(
            kinds("{name: x}"), [.lbrace, .word("name"), .colon, .word("x"), .rbrace, .eof])
        XCTAssertEqual(kinds("http://x:8006/api"), [.word("http://x:8006/api"), .eof])
    }

    // MARK: Text as other editors write it (the lexer reads bytes; users see characters)

    func locations(_ text: String) -> [String] {
        var lexer = Lexer(source: SourceFile(name: "t", text: text))
        return lexer.tokenize().tokens.map { "\($0.location.line):\($0.location.column)" }
    }

    func testCRLFEndsALineAndItsCRIsSpace() {
        XCTAssertEqual(
            kinds("let x = 1\r\necho $x\r\n"),
            [
                .word("let"), .word("x"), .word("="), .word("1"), .newline, .word("echo"),
                .variable(name: "x", path: []),
                .newline, .eof,
            ])
        XCTAssertEqual(locations("a\r\nb c\r\n"), ["1:1", "1:3", "2:1", "2:3", "2:5", "3:1"])
    }

    func testATabIsOneColumn() {
        XCTAssertEqual(locations("\techo\t\"a\tb\"\tx"), ["1:2", "1:7", "1:13", "1:14"])
    }

    func testNonASCIINamesAndStringsStayWholeAndCountAsCharacters() {
        XCTAssertEqual(
            kinds("grüß café \"naïve ✓ $wer\" 'ß'"),
            [
                .word("grüß"), .word("café"),
                .template([
                    .literal("naïve ✓ "),
                    .variable(
                        name: "wer", path: [],
                        at:
                            SourceLocation(file: "t", line: 1, column: 20)),
                ]), .rawString("ß"), .eof,
            ])
        XCTAssertEqual(locations("grüß café \"naïve ✓ $wer\" 'ß' x"), ["1:1", "1:6", "1:11", "1:26", "1:30", "1:31"])
    }

    func testAByteOrderMarkIsNotPartOfAFilesText() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bom-\(UUID().uuidString).hls").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0xEF, 0xBB, 0xBF] + Array("echo hi\r\n".utf8)).write(to: URL(fileURLWithPath: path))
        let source = try XCTUnwrap(SourceFile.load(path))
        XCTAssertEqual(source.text, "echo hi\r\n")
        var lexer = Lexer(source: source)
        XCTAssertEqual(lexer.tokenize().lexemes, [.word("echo"), .word("hi"), .newline, .eof])
    }

    func testAFileThatIsNotUTF8CannotBeLoaded() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).hls").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Array("echo ".utf8) + [0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(SourceFile.load(path))
        XCTAssertNil(SourceFile.load(path + ".missing"))
    }
}

import Foundation
import HLSCommands
import HLSLanguage
import TestSupport
import XCTest

/// docs/reference.md shows exactly the examples the registry declares, which the tests run
/// (CommandExamplesTests the command modules', HLSLanguageTests the builtins' and keywords'):
/// no example there is written by hand, and none of the registry's is left out.
final class ReferenceExamplesTests: XCTestCase {
    static var reference: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/reference.md").path
    }

    func testTheReferenceShowsExactlyTheRegistrysExamples() throws {
        let markdown = try String(contentsOfFile: Self.reference, encoding: .utf8)
        let shown = Self.examples(inMarkdown: markdown)
        var declared = Commands.registry().specs.flatMap { spec in
            spec.examples.map { Self.label($0.code, $0.output) }
        }
        declared += KeywordHelp.entries.map { Self.label($0.example, $0.output.isEmpty ? nil : $0.output) }
        XCTAssertGreaterThan(declared.count, 100)
        XCTAssertEqual(shown.sorted(), declared.sorted())
    }

    /// An example as one string: its code and, when it declares one, its output.
    static func label(_ code: String, _ output: String?) -> String {
        let code = code.hasSuffix("\n") ? code : code + "\n"
        return code + (output.map { "--- output\n" + $0 } ?? "")
    }

    /// Each ```hls block of `markdown` with the ```output block that follows it, if any.
    static func examples(inMarkdown markdown: String) -> [String] {
        let blocks = Markdown.blocks(markdown)
        var examples: [String] = []
        for (i, block) in blocks.enumerated() where block.info == "hls" {
            let next = i + 1 < blocks.count && blocks[i + 1].info == "output" ? blocks[i + 1].text : nil
            examples.append(label(block.text, next))
        }
        return examples
    }
}

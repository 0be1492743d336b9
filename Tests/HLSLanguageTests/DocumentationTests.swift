import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// docs/language.md is executed: every ```hls block followed by an ```output block is run and
/// must print exactly that; one followed by an ```error block must fail and print exactly
/// that on standard error.
final class DocumentationTests: XCTestCase {
    struct Sample {
        var code: String
        var line: Int
        var expected: String
        var isError: Bool
    }

    static var languageReference: String {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/language.md").path
    }

    static func samples(_ markdown: String) -> [Sample] {
        let blocks = fencedBlocks(markdown)
        var samples: [Sample] = []
        for (i, block) in blocks.enumerated() where block.info == "hls" && i + 1 < blocks.count {
            let next = blocks[i + 1]
            guard next.info == "output" || next.info == "error" else { continue }
            samples.append(
                Sample(code: block.text, line: block.line, expected: next.text, isError: next.info == "error"))
        }
        return samples
    }

    func testEveryExampleInTheLanguageReferencePrintsWhatTheDocumentSays() throws {
        let markdown = try String(contentsOfFile: DocumentationTests.languageReference, encoding: .utf8)
        let samples = DocumentationTests.samples(markdown)
        XCTAssertGreaterThan(samples.count, 30, "docs/language.md lost its examples")
        for sample in samples {
            let result = HLS(environment: ["PVE_TOKEN": "example-token"]).run(sample.code, name: "example.hls")
            let place = "docs/language.md:\(sample.line)"
            if sample.isError {
                XCTAssertNotEqual(result.status, 0, "\(place) should fail")
                XCTAssertEqual(result.err, sample.expected, place)
            } else {
                XCTAssertEqual(result.status, 0, "\(place) failed: \(result.err)")
                XCTAssertEqual(result.out, sample.expected, place)
            }
        }
    }

    func testEveryHLSBlockInTheReferenceParses() throws {
        let markdown = try String(contentsOfFile: DocumentationTests.languageReference, encoding: .utf8)
        let errorSamples = Set(DocumentationTests.samples(markdown).filter(\.isError).map(\.line))
        for block in fencedBlocks(markdown) where block.info == "hls" && !errorSamples.contains(block.line) {
            let diagnostics = HLS().diagnostics(block.text)
            XCTAssertEqual(
                diagnostics.map(\.message), [], "docs/language.md:\(block.line) does not parse")
        }
    }

    func testTheExtractorFindsPairedBlocks() {
        let markdown = "text\n```hls\necho a\n```\n\n```output\na\n```\n```hls\nlet x = 1\n```\n"
        let samples = DocumentationTests.samples(markdown)
        XCTAssertEqual(samples.count, 1)
        XCTAssertEqual(samples.first?.code, "echo a\n")
        XCTAssertEqual(samples.first?.expected, "a\n")
        XCTAssertEqual(samples.first?.line, 3)
    }
}

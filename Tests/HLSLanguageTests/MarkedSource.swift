import HLSCore
import HLSLanguage
import XCTest

/// Source text with position markers, as swift-format's `MarkedText` does: a test writes
/// `"let x = 1\nvm 1️⃣shwo"`, the markers are removed, and each one's line and column (as the
/// lexer counts them: 1-based, in Unicode scalars) is kept, so a diagnostic's position is pinned
/// by where the marker sits in the source, not by hand-counted numbers.
struct MarkedSource {
    static let markers: Set<Character> = ["0️⃣", "1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"]

    /// The text without its markers.
    let text: String
    /// Where each marker was, in the order they appear.
    let locations: [(marker: Character, line: Int, column: Int)]

    init(_ marked: String) {
        var text = ""
        var locations: [(Character, Int, Int)] = []
        var line = 1
        var column = 1
        for character in marked {
            if MarkedSource.markers.contains(character) {
                precondition(!locations.contains { $0.0 == character }, "marker \(character) used twice")
                locations.append((character, line, column))
                continue
            }
            text.append(character)
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        self.text = text
        self.locations = locations
    }

    /// The `line:column` of `marker`.
    subscript(marker: Character) -> String {
        guard let l = locations.first(where: { $0.marker == marker }) else { return "no marker \(marker)" }
        return "\(l.line):\(l.column)"
    }
}

extension XCTestCase {
    /// Asserts that parsing `marked` reports exactly the `expected` diagnostics, in order:
    /// each at its marker, with a message containing the given text (and the hint, when given).
    func assertDiagnostics(
        _ marked: String, _ expected: [(marker: Character, message: String, hint: String?)], hls: HLS = HLS(),
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let source = MarkedSource(marked)
        let diagnostics = hls.diagnostics(source.text)
        let listing = diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message) [\($0.hint ?? "")]" }
        XCTAssertEqual(
            diagnostics.count, expected.count, "diagnostics: \(listing.joined(separator: "; "))", file: file,
            line: line)
        for (d, e) in zip(diagnostics, expected) {
            XCTAssertEqual(
                "\(d.location.line):\(d.location.column)", source[e.marker], "position of: \(d.message)", file: file,
                line: line)
            XCTAssertTrue(d.message.contains(e.message), "'\(d.message)' lacks '\(e.message)'", file: file, line: line)
            if let hint = e.hint {
                XCTAssertTrue(
                    d.hint?.contains(hint) == true, "hint '\(d.hint ?? "none")' lacks '\(hint)'", file: file, line: line
                )
            }
        }
    }

    /// One expected diagnostic.
    func assertDiagnostic(
        _ marked: String, _ message: String, hint: String? = nil, hls: HLS = HLS(), file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let marker = MarkedSource(marked).locations.first?.marker ?? "1️⃣"
        assertDiagnostics(marked, [(marker, message, hint)], hls: hls, file: file, line: line)
    }
}

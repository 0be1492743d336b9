import HLSCore
import HLSFormats
import XCTest

final class FormatsTests: XCTestCase {
    func testYAMLRoundTripKeepsTypesAndOrder() throws {
        let text = """
            name: k3s-cp-01
            cores: 4
            ratio: 0.5
            onboot: true
            tags: [k3s, "control plane"]
            note: null
            version: "1.31"
            disks:
              - size: 50G
              - size: 100G
            """
        let doc = try YAMLCodec.decode(text)
        guard case .object(let pairs) = doc else { return XCTFail("not an object: \(doc)") }
        XCTAssertEqual(pairs.map(\.key), ["name", "cores", "ratio", "onboot", "tags", "note", "version", "disks"])
        XCTAssertEqual(doc["cores"], .int(4))
        XCTAssertEqual(doc["ratio"], .double(0.5))
        XCTAssertEqual(doc["onboot"], .bool(true))
        XCTAssertEqual(doc["note"], .null)
        XCTAssertEqual(doc["version"], .string("1.31"), "a quoted scalar stays a string")
        XCTAssertEqual(doc["tags"], .array([.string("k3s"), .string("control plane")]))
        let again = try YAMLCodec.decode(YAMLCodec.encode(doc))
        XCTAssertEqual(again, doc)
    }

    func testYAMLStringsThatLookLikeOtherTypesAreQuotedOnOutput() throws {
        let doc = Document.object([
            ("a", .string("true")), ("b", .string("42")), ("c", .string("")), ("d", .string("null")),
        ])
        XCTAssertEqual(try YAMLCodec.decode(YAMLCodec.encode(doc)), doc)
    }

    func testInvalidYAMLNamesLineAndColumn() {
        XCTAssertThrowsError(try YAMLCodec.decode("a: [1, 2\nb: 3\n", file: "homelab.yaml")) { error in
            let e = error as? HLSError
            XCTAssertEqual(e?.kind, .syntax)
            guard case .source(let loc)? = e?.place else { return XCTFail("no location: \(String(describing: e))") }
            XCTAssertEqual(loc.file, "homelab.yaml")
            XCTAssertGreaterThanOrEqual(loc.line, 1)
        }
    }

    func testMultiDocumentYAML() throws {
        let docs = try YAMLCodec.decodeAll("a: 1\n---\nb: 2\n")
        XCTAssertEqual(docs, [.object([("a", .int(1))]), .object([("b", .int(2))])])
    }

    func testJSONRoundTripKeepsIntFloatBoolDistinctAndKeyOrder() throws {
        let text = #"{"z":1,"a":1.5,"t":true,"n":null,"s":"x\n\"y\" \u00e9","l":[1,[2]],"e":{}}"#
        let doc = try JSONCodec.decode(text)
        XCTAssertEqual(doc["z"], .int(1))
        XCTAssertEqual(doc["a"], .double(1.5))
        XCTAssertEqual(doc["s"], .string("x\n\"y\" é"))
        XCTAssertEqual(JSONCodec.encode(doc), #"{"z":1,"a":1.5,"t":true,"n":null,"s":"x\n\"y\" é","l":[1,[2]],"e":{}}"#)
        XCTAssertEqual(try JSONCodec.decode(JSONCodec.encode(doc, pretty: true)), doc)
    }

    /// The encoder appends the runs between escapes whole: a `\r\n` (one Character) is cut in
    /// the middle, and multi-byte scalars on either side of an escape stay whole.
    func testJSONStringsEscapeQuotesBackslashesAndControlsBetweenUnescapedRuns() throws {
        let text = "é\"a\\b\r\nc\td\u{1}😀\u{1F}"
        let encoded = JSONCodec.encode(.string(text))
        XCTAssertEqual(encoded, #""é\"a\\b\r\nc\td\u0001😀\u001f""#)
        XCTAssertEqual(try JSONCodec.decode(encoded), .string(text))
        XCTAssertEqual(JSONCodec.encode(.string("")), #""""#)
        XCTAssertEqual(JSONCodec.encode(.string("plain")), #""plain""#)
    }

    func testJSONFloatsThatAreWholeKeepADecimalPoint() {
        XCTAssertEqual(JSONCodec.encode(.double(2)), "2.0")
    }

    func testJSONSurrogatePairsDecode() throws {
        XCTAssertEqual(try JSONCodec.decode(#""\ud83d\ude80""#), .string("🚀"))
    }

    /// Found by scripts/fuzz json: `1e400` was read as infinity, which JSON cannot write (it came
    /// back as `null`). A number beyond a double is refused where it is written, as Go's
    /// encoding/json refuses it; one too small to tell from zero reads as zero.
    func testJSONNumbersBeyondADoubleAreRefusedAtTheirPlace() throws {
        XCTAssertThrowsError(try JSONCodec.decode("[1,\n -1e400]", file: "x.json")) { error in
            let e = error as? HLSError
            XCTAssertEqual(e?.message, "invalid JSON: number -1e400 is out of range")
            XCTAssertEqual(e?.place, .source(SourceLocation(file: "x.json", line: 2, column: 2)))
        }
        XCTAssertThrowsError(try JSONCodec.decode("1E+309"))
        XCTAssertEqual(try JSONCodec.decode("1e-400"), .double(0))
        XCTAssertEqual(try JSONCodec.decode("1.7976931348623157e308"), .double(.greatestFiniteMagnitude))
    }

    /// Found writing the JSON fuzz target (issue 17): a high surrogate followed by an escape that is no low surrogate
    /// trapped (`\ud800\u0041`: the pair's arithmetic underflowed). A lone surrogate is U+FFFD, as
    /// in Go and Foundation, and the escape after it is read on its own.
    func testJSONLoneSurrogatesBecomeReplacementCharacters() throws {
        XCTAssertEqual(try JSONCodec.decode(#""\ud800\u0041""#), .string("\u{FFFD}A"))
        XCTAssertEqual(try JSONCodec.decode(#""\ud800\ud83d\ude80""#), .string("\u{FFFD}🚀"))
        XCTAssertEqual(try JSONCodec.decode(#""\ud800\ue000""#), .string("\u{FFFD}\u{E000}"))
        XCTAssertEqual(try JSONCodec.decode(#""\udc00x\ud800""#), .string("\u{FFFD}x\u{FFFD}"))
    }

    func testInvalidJSONReportsLineAndColumn() {
        XCTAssertThrowsError(try JSONCodec.decode("{\n  \"a\": tru\n}", file: "x.json")) { error in
            let e = error as? HLSError
            XCTAssertEqual(e?.place, .source(SourceLocation(file: "x.json", line: 2, column: 8)))
        }
    }
}

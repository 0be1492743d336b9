import HLSCore
import HLSFormats
import XCTest

/// hlsh's own YAML layer on libyaml (docs/adr/0020): where nodes are, how plain scalars are
/// typed, anchors, streams, errors, and the emitter's exact bytes (as Yams wrote them).
final class YAMLLayerTests: XCTestCase {
    func testEveryNodeKnowsItsLineAndColumn() throws {
        let text = """
            name: lab
            vms:
              - name: é-web
                memory: 8G
              - {name: db, cores: 2}
            note:
            """
        let root = try LocatedYAML.parse(text, file: "lab.yaml")
        guard case .mapping(let top, let at) = root else { return XCTFail("not a mapping: \(root)") }
        XCTAssertEqual(place(at), "lab.yaml:1:1")
        XCTAssertEqual(top.map(\.key), ["name", "vms", "note"])
        XCTAssertEqual(top.map { place($0.keyAt) }, ["lab.yaml:1:1", "lab.yaml:2:1", "lab.yaml:6:1"])
        XCTAssertEqual(place(top[0].value.location), "lab.yaml:1:7")
        guard case .null(let nullAt) = top[2].value else { return XCTFail("note is not null: \(top[2].value)") }
        XCTAssertEqual(place(nullAt), "lab.yaml:6:6")
        guard case .sequence(let vms, let vmsAt) = top[1].value, vms.count == 2,
            case .mapping(let web, _) = vms[0], case .mapping(let db, let dbAt) = vms[1]
        else { return XCTFail("vms: \(top[1].value)") }
        XCTAssertEqual(place(vmsAt), "lab.yaml:3:3")
        // Columns count characters, not bytes: `é` is two bytes.
        XCTAssertEqual(web.map { place($0.keyAt) }, ["lab.yaml:3:5", "lab.yaml:4:5"])
        XCTAssertEqual(place(web[1].value.location), "lab.yaml:4:13")
        XCTAssertEqual(place(dbAt), "lab.yaml:5:5")
        XCTAssertEqual(db.map { place($0.value.location) }, ["lab.yaml:5:12", "lab.yaml:5:23"])
    }

    func testEveryDocumentOfAStreamIsLocatedAndItsNodesFoundByKeyAndIndex() throws {
        let text = "a: 1\n---\nspec:\n  dependsOn:\n    - name: x\n    - name: y\n"
        let documents = try LocatedYAML.parseAll(text, file: "s.yaml")
        XCTAssertEqual(documents.map(\.location.line), [1, 3])
        let second = documents[1]["spec"]?["dependsOn"]?.items
        XCTAssertEqual(second?.count, 2)
        XCTAssertEqual(second?[1]["name"]?.location.description, "s.yaml:6:13")
        XCTAssertEqual(documents[1]["spec"]?.keyLocation("dependsOn")?.description, "s.yaml:4:3")
        XCTAssertNil(documents[0]["missing"])
        XCTAssertEqual(documents[0].items.count, 0)
    }

    func testPlainScalarsAreTypedAsYAML11AndQuotedOnesStayStrings() throws {
        let cases: [(String, Document)] = [
            ("~", .null), ("null", .null), ("Null", .null), ("", .null), ("nULL", .string("nULL")),
            ("true", .bool(true)), ("yes", .bool(true)), ("On", .bool(true)), ("NO", .bool(false)),
            ("off", .bool(false)), ("y", .string("y")), ("tRue", .string("tRue")),
            ("42", .int(42)), ("-7", .int(-7)), ("1_000", .int(1000)), ("0x1F", .int(31)), ("0b101", .int(5)),
            ("0o17", .int(15)), ("017", .int(15)), ("1:30", .int(90)), ("-1:30", .int(-90)), ("0", .int(0)),
            ("9223372036854775808", .string("9223372036854775808")),
            ("1.5", .double(1.5)), ("1.", .double(1)), (".5", .double(0.5)), ("1e3", .double(1000)),
            ("-1.5E-1", .double(-0.15)), ("09", .double(9)), ("1:30.5", .double(90.5)),
            (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
            ("2024-01-01", .string("2024-01-01")), ("1.2.3", .string("1.2.3")), ("0o8", .string("0o8")),
            ("12abc", .string("12abc")), ("<<", .string("<<")),
        ]
        for (plain, expected) in cases {
            XCTAssertEqual(try YAMLCodec.decode("k: \(plain)\n")["k"], expected, "k: \(plain)")
            if !plain.isEmpty {
                XCTAssertEqual(try YAMLCodec.decode("k: '\(plain)'\n")["k"], .string(plain), "k: '\(plain)'")
            }
        }
        guard case .double(let nan)? = try YAMLCodec.decode("k: .NaN")["k"] else { return XCTFail(".NaN") }
        XCTAssertTrue(nan.isNaN)
        let block = try YAMLCodec.decode("a: |\n  42\nb: >\n  true\n")
        XCTAssertEqual(block, .object([("a", .string("42\n")), ("b", .string("true\n"))]))
    }

    func testExplicitTagsDecideTheType() throws {
        let doc = try YAMLCodec.decode("a: !!str 12\nb: !!int 0x10\nc: !!float 1\nd: !!null x\ne: !!int x\nf: !foo 3\n")
        XCTAssertEqual(
            doc,
            .object([
                ("a", .string("12")), ("b", .int(16)), ("c", .double(1)), ("d", .null), ("e", .string("x")),
                ("f", .string("3")),
            ]))
    }

    func testAnAliasIsACopyOfItsAnchoredNode() throws {
        let doc = try YAMLCodec.decode("base: &b {cores: 2, tags: [x]}\nweb: *b\nlist: [*b, &n 3, *n]\n")
        let base = Document.object([("cores", .int(2)), ("tags", .array([.string("x")]))])
        XCTAssertEqual(doc["web"], base)
        XCTAssertEqual(doc["list"], .array([base, .int(3), .int(3)]))
        let located = try LocatedYAML.parse("a: &x 1\nb: *x\n", file: "f.yaml")
        guard case .mapping(let pairs, _) = located else { return XCTFail("\(located)") }
        XCTAssertEqual(place(pairs[1].value.location), "f.yaml:1:4", "an alias is located at its anchor's node")
    }

    /// Found reading the YAML reader for issue 17's fuzzing: anchors that each repeat the one before (a
    /// "billion laughs") grew exponentially as the aliases were copied into the document. The
    /// copies may add at most 100,000 nodes; a document with an ordinary share of aliases reads.
    func testAliasesThatWouldExpandTheDocumentBeyondTheBudgetAreRefused() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...6 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        assertInvalid(text, at: "x.yaml:5:45", cause: "aliases expand the document by more than 100000 nodes")
        XCTAssertThrowsError(try LocatedYAML.parse(text, file: "lab.yaml"))
        let shared = "base: &b {cores: 2, tags: [x]}\n" + (1...1000).map { "vm\($0): *b\n" }.joined()
        XCTAssertEqual(
            try YAMLCodec.decode(shared)["vm1000"], .object([("cores", .int(2)), ("tags", .array([.string("x")]))]))
    }

    /// Found reading the YAML reader for issue 17's fuzzing: `[[[[…` or `a: {b: {…` thousands deep overflowed the stack (the
    /// reader, then the conversion to a document, recurse). Nodes nest at most 512 deep, as JSON's.
    func testNodesNestedDeeperThanTheLimitAreRefused() throws {
        assertInvalid(String(repeating: "[", count: 200_000), at: "x.yaml:1:513", cause: "nested more than 512 deep")
        assertInvalid(
            String(repeating: "{a: ", count: 600) + "1" + String(repeating: "}", count: 600), at: "x.yaml:1:2049",
            cause: "nested more than 512 deep")
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try YAMLCodec.decode(deepest))
    }

    /// Found by scripts/fuzz kubeconfig: a 49-byte line of `? ? ? …` (keys that are mappings, 22
    /// deep) took 7–17 s, as each level's key was written as JSON inside the next one's, its
    /// escapes doubling. A key must be a scalar, as kubectl's YAML reader (sigs.k8s.io/yaml) says.
    func testAMappingKeyThatIsNotAScalarIsRefused() throws {
        assertInvalid("? [a, b]\n: 1\n", at: "x.yaml:1:3", cause: "a mapping key must be a scalar")
        assertInvalid("{a: 1}: x\n", at: "x.yaml:1:1", cause: "a mapping key must be a scalar")
        let found = " \r\n" + String(repeating: "? ", count: 22)
        assertInvalid(found, at: "x.yaml:2:43", cause: "a mapping key must be a scalar")  // the innermost
        XCTAssertEqual(try YAMLCodec.decode("1: a\nnull: b\n"), .object([("1", .string("a")), ("null", .string("b"))]))
    }

    func testAStreamHasEveryDocumentAndDecodeWantsOne() throws {
        XCTAssertEqual(
            try YAMLCodec.decodeAll("a: 1\n---\n---\n- x\n...\n--- 3\n"),
            [.object([("a", .int(1))]), .null, .array([.string("x")]), .int(3)])
        XCTAssertEqual(try YAMLCodec.decodeAll("# nothing\n"), [])
        XCTAssertEqual(try YAMLCodec.decode(""), .null)
        XCTAssertEqual(try YAMLCodec.decode("# only a comment\n"), .null)
        assertInvalid("a: 1\n---\nb: 2\n", at: "x.yaml:3:1", cause: "expected one document, found another")
    }

    func testBadInputIsASyntaxErrorAtItsLineAndColumn() {
        assertInvalid("a: [1, 2\nb: 3\n", at: "x.yaml:2:2", cause: "did not find expected ',' or ']'")
        // Left open: placed where it was opened, not at the empty end of the file.
        assertInvalid(
            "a: 'open\n", at: "x.yaml:1:4",
            cause:
                "a quoted scalar that begins here is not closed: found unexpected end of stream before the end of the file"
        )
        assertInvalid(
            "a: 1\nb: [1\n", at: "x.yaml:2:4",
            cause:
                "a flow sequence that begins here is not closed: did not find expected ',' or ']' before the end of the file"
        )
        assertInvalid("a: 1\n  b: 2\n", at: "x.yaml:2:4", cause: "mapping values are not allowed in this context")
        assertInvalid("a: *nowhere\n", at: "x.yaml:1:4", cause: "undefined alias '*nowhere'")
        assertInvalid("a: 1\nb: 2\na: 3\n", at: "x.yaml:3:1", cause: "duplicate key 'a' (first at 1:1)")
        assertInvalid("k: \u{1}\n", at: "x.yaml:1:4", cause: "control characters are not allowed")
        XCTAssertThrowsError(try LocatedYAML.parse("a: [\n", file: "lab.yaml")) { error in
            XCTAssertEqual((error as? HLSError)?.place, .source(SourceLocation(file: "lab.yaml", line: 2, column: 1)))
        }
    }

    func testTheEmitterWritesWhatYamsWrote() {
        // Expected bytes: `hlsh -o yaml` of the same value before Yams was replaced.
        let doc = Document.object([
            ("plain", .string("k3s-cp-01")), ("bool", .string("true")), ("yes", .string("yes")),
            ("sexagesimal", .string("1:30")), ("octal", .string("017")), ("date", .string("2024-01-01")),
            ("empty", .string("")), ("space", .string(" lead")), ("colon", .string("a: b")), ("dash", .string("- x")),
            ("multi", .string("line1\nline2\n")), ("unicode", .string("é 🚀")), ("int", .int(4)),
            ("float", .double(2)), ("null", .null), ("list", .array([])), ("map", .object([])),
            ("nested", .array([.object([("a", .int(1))]), .array([.string("x")])])),
        ])
        XCTAssertEqual(
            YAMLCodec.encode(doc),
            """
            plain: k3s-cp-01
            bool: "true"
            yes: "yes"
            sexagesimal: "1:30"
            octal: "017"
            date: "2024-01-01"
            empty: ""
            space: " lead"
            colon: 'a: b'
            dash: '- x'
            multi: 'line1

              line2

              '
            unicode: "é \\U0001F680"
            int: 4
            float: 2.0
            null: null
            list: []
            map: {}
            nested:
            - a: 1
            - - x

            """)
        XCTAssertEqual(
            YAMLCodec.encode(.string("true\n")), "\"true\\n\"\n", "as Yams' regex, `$` ends before a last break")
        XCTAssertEqual(try YAMLCodec.decode(YAMLCodec.encode(doc)), doc)
    }

    private func assertInvalid(_ text: String, at expected: String, cause: String, line: UInt = #line) {
        XCTAssertThrowsError(try YAMLCodec.decode(text, file: "x.yaml"), line: line) { error in
            guard let e = error as? HLSError else { return XCTFail("not an HLSError: \(error)", line: line) }
            XCTAssertEqual(e.kind, .syntax, line: line)
            XCTAssertEqual(e.message, "invalid YAML", line: line)
            XCTAssertEqual(e.place.map { "\($0)" }, expected, line: line)
            XCTAssertTrue(e.cause?.hasPrefix(cause) ?? false, "cause: \(e.cause ?? "nil")", line: line)
        }
    }

    private func place(_ location: SourceLocation) -> String { "\(location)" }
}

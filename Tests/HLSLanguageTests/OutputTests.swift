import HLSCore
import HLSLanguage
import XCTest

/// Tables, records and the `-o` formats.
final class OutputTests: XCTestCase {
    let table = #"[{name: "k3s-cp-01", mem: 8G, cores: 4}, {name: "k3s-wk-01", mem: 16G, cores: 12}]"#

    func testTablesAlignColumnsAndRightAlignNumbers() {
        XCTAssertEqual(
            output(table),
            """
            name          mem  cores
            k3s-cp-01   8 GiB      4
            k3s-wk-01  16 GiB     12

            """)
    }

    func testRecordsPrintAsAlignedFields() {
        XCTAssertEqual(output("{name: web, cores: 4}"), "name   web\ncores  4\n")
    }

    func testRowsWithDifferentFieldsShareColumns() {
        XCTAssertEqual(output("[{a: 1}, {b: x}]"), "a  b\n1\n   x\n")
    }

    func testWideCharactersCountDoubleWhenAligning() {
        XCTAssertEqual(output(#"[{n: "日本", v: 1}, {n: "ab", v: 2}]"#), "n     v\n日本  1\nab    2\n")
    }

    func testMultiLineCellsStayOnOneLine() {
        XCTAssertEqual(output(#"[{n: "a\nb"}]"#), "n\na⏎b\n")
    }

    /// Text from elsewhere (a remote's `\r\n`, an escape sequence) never breaks a table's lines
    /// or reaches the terminal raw: line breaks become ⏎, tabs a space, other control characters
    /// `\xNN`; in tables, records, headers and the blocks of a table too wide for the terminal.
    func testControlCharactersInCellsAreMadeVisible() {
        let raw = Value.string("fatal: no\r\nbell\u{07} \u{1B}[31mred\ttab\rend")
        let shown = "fatal: no⏎bell\\x07 \\x1b[31mred tab⏎end"
        let rows = [Record([("k\ne", .string("x")), ("detail", raw)]), Record([("k\ne", .string("y"))])]
        XCTAssertEqual(
            Render.table(rows, terminal: .plain), "k⏎e  detail\nx    \(shown)\ny\n")
        XCTAssertEqual(
            Render.value(.record(rows[0]), format: .table, terminal: .plain), "k⏎e     x\ndetail  \(shown)\n")
        let narrow = Terminal(isTTY: true, color: false, width: 10)
        XCTAssertEqual(Render.table(rows, terminal: narrow), "k⏎e     x\ndetail  \(shown)\n\nk⏎e  y\n")
    }

    func testATableWiderThanTheTerminalBecomesBlocksNeverCutOff() {
        var hls = HLS()
        hls.stdoutTerminal = Terminal(isTTY: true, color: false, width: 20)
        let result = hls.run(
            #"[{name: "k3s-cp-01", address: "10.0.0.11", memory: 8G}, {name: "k3s-wk-01", address: "10.0.0.12", memory: 16G}]"#
        )
        XCTAssertEqual(
            result.out,
            """
            name     k3s-cp-01
            address  10.0.0.11
            memory   8 GiB

            name     k3s-wk-01
            address  10.0.0.12
            memory   16 GiB

            """)
    }

    func testATableThatFitsStaysATable() {
        var hls = HLS()
        hls.stdoutTerminal = Terminal(isTTY: true, color: false, width: 80)
        XCTAssertEqual(hls.run("[{a: 1, b: 2}]").out, "a  b\n1  2\n")
    }

    func testHeadersAreColouredOnlyWhenTheTerminalWantsColour() {
        var hls = HLS()
        hls.stdoutTerminal = Terminal(isTTY: true, color: true, width: nil)
        XCTAssertEqual(hls.run("[{a: 1}]").out, "\u{1B}[1;32ma\u{1B}[0m\n1\n")
        XCTAssertEqual(hls.run("{a: 1}").out, "\u{1B}[1;32ma\u{1B}[0m  1\n")
        hls.stdoutTerminal = Terminal(isTTY: true, color: false, width: nil)
        XCTAssertEqual(hls.run("[{a: 1}]").out, "a\n1\n")
    }

    /// A `state` column (lab status, lab doctor) says how things stand in colour: ok green,
    /// degraded yellow, failed and missing red, pending cyan; other words and other columns stay
    /// plain, and nothing is coloured when the terminal does not want colour.
    func testStateCellsAreColouredByWhatTheySayOnlyWhenTheTerminalWantsColour() {
        let rows = ["ok", "degraded", "failed", "missing", "pending", "skipped", "running"].map {
            Record([("state", .string($0)), ("detail", .string($0))])
        }
        let coloured = Render.table(rows, terminal: Terminal(isTTY: true, color: true, width: nil))
        let lines = coloured.split(separator: "\n").dropFirst().map(String.init)
        let painted = { (code: String, word: String) in
            "\u{1B}[\(code)m" + word.padding(toLength: 8, withPad: " ", startingAt: 0) + "\u{1B}[0m  \(word)"
        }
        XCTAssertEqual(
            lines,
            [
                painted("32", "ok"), painted("33", "degraded"), painted("31", "failed"), painted("31", "missing"),
                painted("36", "pending"), "skipped   skipped", "running   running",
            ])
        let plain = Render.table(rows, terminal: Terminal(isTTY: true, color: false, width: nil))
        XCTAssertFalse(plain.contains("\u{1B}"), plain)
        XCTAssertTrue(plain.hasPrefix("state     detail\nok        ok\n"), plain)
        // As a record, the same.
        XCTAssertEqual(
            Render.value(.record(rows[2]), format: .table, terminal: Terminal(isTTY: true, color: true, width: nil)),
            "\u{1B}[1;32mstate \u{1B}[0m  \u{1B}[31mfailed\u{1B}[0m\n\u{1B}[1;32mdetail\u{1B}[0m  failed\n")
    }

    func testColourFollowsForceColorThenNoColorThenTermDumbThenTTY() {
        XCTAssertTrue(Terminal.colorWanted(isTTY: false, environment: ["FORCE_COLOR": "1", "NO_COLOR": "1"]))
        XCTAssertFalse(Terminal.colorWanted(isTTY: true, environment: ["NO_COLOR": "1"]))
        XCTAssertTrue(Terminal.colorWanted(isTTY: true, environment: ["NO_COLOR": ""]))
        XCTAssertFalse(Terminal.colorWanted(isTTY: true, environment: ["TERM": "dumb"]))
        XCTAssertTrue(Terminal.colorWanted(isTTY: true, environment: [:]))
        XCTAssertFalse(Terminal.colorWanted(isTTY: false, environment: [:]))
    }

    func testOutputJSONAndYAMLFormats() {
        var hls = HLS()
        hls.options.output = .json
        XCTAssertEqual(
            hls.run(table).out,
            """
            [
              {
                "name": "k3s-cp-01",
                "mem": 8589934592,
                "cores": 4
              },
              {
                "name": "k3s-wk-01",
                "mem": 17179869184,
                "cores": 12
              }
            ]

            """)
        hls.options.output = .yaml
        XCTAssertEqual(
            hls.run(table).out,
            """
            - name: k3s-cp-01
              mem: 8589934592
              cores: 4
            - name: k3s-wk-01
              mem: 17179869184
              cores: 12

            """)
    }

    func testPrintUsesTheOutputFormat() {
        var hls = HLS()
        hls.options.output = .json
        XCTAssertEqual(hls.run("print {a: 1}").out, "{\n  \"a\": 1\n}\n")
    }

    func testEchoPrintsPlainWords() {
        XCTAssertEqual(output("echo 1 2.5 true 90s 8G [1, 2] {a: 1}"), "1 2.5 true 1m30s 8 GiB [1, 2] {a: 1}\n")
    }

    func testLongCellsAreNeverTruncated() {
        let long = String(repeating: "x", count: 500)
        XCTAssertTrue(output("[{v: \"\(long)\"}]").contains(long))
    }
}

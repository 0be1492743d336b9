import HLSCore
import HLSLanguage
import XCTest

final class PipelineTests: XCTestCase {
    let vms = """
        let vms = [
            {name: k3s-cp-01, status: running, mem: 8G, cores: 4, ready: true},
            {name: k3s-wk-01, status: running, mem: 16G, cores: 6, ready: false},
            {name: k3s-wk-02, status: stopped, mem: 16G, cores: 6, ready: false}
        ]

        """

    func testSortThenToJSONPrintsOneLine() {
        XCTAssertEqual(output("[3,1,2] | sort | to json"), "[1,2,3]\n")
    }

    func testBareWordsInsideWhereAreRowFields() {
        XCTAssertEqual(output(vms + #"$vms | where status == "running" and mem > 10G | get name"#), "k3s-wk-01\n")
        XCTAssertEqual(output(vms + "$vms | where ready | get name"), "k3s-cp-01\n")
        XCTAssertEqual(output(vms + "$vms | where not ready | count"), "2\n")
    }

    func testItIsTheRowInsideWhere() {
        XCTAssertEqual(output("[1, 5, 10] | where $it > 3 | to json"), "[5,10]\n")
        XCTAssertEqual(output(vms + #"$vms | where $it.name =~ "wk" | count"#), "2\n")
    }

    func testWhereComparesAgainstOuterVariables() {
        XCTAssertEqual(output(vms + "let min = 6\n$vms | where cores >= $min | count"), "2\n")
    }

    func testAnUnknownFieldInWhereSuggestsTheNearest() {
        let err = failure(vms + "$vms | where stauts == running")
        XCTAssertTrue(err.contains("no field 'stauts' in the row"), err)
        XCTAssertTrue(err.contains("hint: did you mean 'status'?"), err)
    }

    func testSelectKeepsFieldsInTheGivenOrder() {
        XCTAssertEqual(
            output(vms + "$vms | select cores name | first | to json"), #"{"cores":4,"name":"k3s-cp-01"}"# + "\n")
    }

    func testSortByFieldsAscendingAndDescending() {
        XCTAssertEqual(
            output(vms + "$vms | sort mem --desc | get name | to json"),
            #"["k3s-wk-01","k3s-wk-02","k3s-cp-01"]"# + "\n")
        XCTAssertEqual(output(vms + "$vms | sort cores name | get name | first"), "k3s-cp-01\n")
        XCTAssertEqual(output(#"["b", "c", "a"] | sort -r | to json"#), #"["c","b","a"]"# + "\n")
    }

    func testSortIsStable() {
        XCTAssertEqual(
            output(vms + "$vms | sort status | get name | to json"), #"["k3s-cp-01","k3s-wk-01","k3s-wk-02"]"# + "\n")
    }

    func testSortingMixedTypesIsAnError() {
        XCTAssertTrue(failure(#"[1, "a"] | sort"#).contains("cannot order"))
    }

    func testFirstAndLast() {
        XCTAssertEqual(output("[7, 8, 9] | first"), "7\n")
        XCTAssertEqual(output("[7, 8, 9] | last"), "9\n")
        XCTAssertEqual(output("[7, 8, 9] | first 2 | to json"), "[7,8]\n")
        XCTAssertEqual(output("[7, 8, 9] | last 2 | to json"), "[8,9]\n")
        XCTAssertEqual(output("[] | first"), "")
    }

    func testCountCountsItemsAndRecordFields() {
        XCTAssertEqual(output("[1, 2, 3] | count"), "3\n")
        XCTAssertEqual(output("{a: 1, b: 2} | count"), "2\n")
    }

    func testEachRunsABlockPerItem() {
        XCTAssertEqual(
            output(vms + #"$vms | each { "$it.name:$it.cores" } | to json"#),
            #"["k3s-cp-01:4","k3s-wk-01:6","k3s-wk-02:6"]"# + "\n")
    }

    func testGetReturnsAColumnOrAField() {
        XCTAssertEqual(output(vms + "$vms | get cores | to json"), "[4,6,6]\n")
        XCTAssertEqual(output("{a: {b: 2}} | get a.b"), "2\n")
    }

    func testToAndFromJSONAndYAMLRoundTrip() {
        XCTAssertEqual(output(#"'{"cores": 4, "tags": ["a"]}' | from json | get tags.0"#), "a\n")
        XCTAssertEqual(output("{a: 1, b: [x, y]} | to yaml | from yaml | to json"), #"{"a":1,"b":["x","y"]}"# + "\n")
        XCTAssertEqual(output("{a: 1} | to json --pretty"), "{\n  \"a\": 1\n}\n")
    }

    func testToTableRendersText() {
        XCTAssertEqual(output("[{a: 1, b: x}] | to table"), "a  b\n1  x\n")
    }

    func testFromRejectsInvalidText() {
        let marked = MarkedSource("'{nope' | 1️⃣from json")
        let err = failure(marked.text)
        XCTAssertTrue(err.hasPrefix("test.hls:\(marked["1️⃣"]): error: from: the input is not valid json\n"), err)
        XCTAssertTrue(err.contains("cause: input:1:2: invalid JSON"), err)
    }

    func testLinesSplitsText() {
        XCTAssertEqual(output(#""a\nb\r\nc\n" | lines | to json"#), #"["a","b","c"]"# + "\n")
    }

    func testACommandThatReadsNoInputCannotBePipedInto() {
        assertDiagnostic("[1] | 1️⃣echo", "'echo' does not read piped input")
    }

    func testFiltersNeedAList() {
        XCTAssertTrue(failure("5 | where $it > 1").contains("where: expects a list or table on its input, got int"))
    }

    func testPipelinesSpanLinesInsideParentheses() {
        XCTAssertEqual(output("let n = ([1, 2, 3]\n    | where $it > 1\n    | count)\necho $n"), "2\n")
    }
}

import HLSCore
import HLSLanguage
import XCTest

/// Field names in `select` and `where`: a name no row has is a mistake, named with the columns
/// that exist; a name only some rows have is null in the others (so `where` skips them).
final class ColumnTests: XCTestCase {
    let table = "[{name: a, node: pve1, status: up, n: 1}, {name: b, node: pve2, status: down}]"

    func testSelectOfAColumnNoRowHasIsAnErrorWithSuggestions() {
        let err = failure("\(table) | select name nod stauts")
        XCTAssertTrue(err.contains("error: select: no column 'nod' or 'stauts' in the table"), err)
        XCTAssertTrue(err.contains("hint: 'nod': did you mean 'node'?; 'stauts': did you mean 'status'?"), err)
        XCTAssertTrue(err.contains("the columns are name, node, status, n"), err)
        XCTAssertTrue(failure("{name: a} | select nmae").contains("select: no field 'nmae' in the record"))
    }

    func testSelectOfAColumnSomeRowsLackGivesNull() {
        XCTAssertEqual(
            output("\(table) | select name n | to json"), #"[{"name":"a","n":1},{"name":"b","n":null}]"# + "\n")
    }

    func testWhereSkipsRowsThatLackTheField() {
        XCTAssertEqual(output("\(table) | where n > 0 | get name | to json"), #"["a"]"# + "\n")
        XCTAssertEqual(output("\(table) | where n == null | get name | to json"), #"["b"]"# + "\n")
    }

    func testWhereOnAFieldNoRowHasIsAnError() {
        let err = failure("\(table) | where stauts == up")
        XCTAssertTrue(err.contains("error: no field 'stauts' in the row"), err)
        XCTAssertTrue(err.contains("did you mean 'status'?"), err)
    }
}

import HLSCore
import HLSLanguage
import XCTest

final class FieldPathTests: XCTestCase {
    let lab = """
        let lab = {
            name: homelab,
            vms: [
                {name: k3s-cp-01, cores: 4, disks: [50G, 100G]},
                {name: k3s-wk-01, cores: 6, disks: [50G]}
            ]
        }

        """

    func testRecordFieldsAndListIndexes() {
        XCTAssertEqual(output(lab + "echo $lab.name $lab.vms.0.name $lab.vms.1.disks.0"), "homelab k3s-cp-01 50 GiB\n")
    }

    func testNegativeIndexesCountFromTheEnd() {
        XCTAssertEqual(output(lab + "echo $lab.vms.-1.name"), "k3s-wk-01\n")
    }

    func testAFieldOfATableIsItsColumn() {
        XCTAssertEqual(output(lab + "$lab.vms.cores | to json"), "[4,6]\n")
        XCTAssertEqual(output(lab + "$lab.vms | get name | to json"), #"["k3s-cp-01","k3s-wk-01"]"# + "\n")
    }

    /// An empty table (a query that found nothing) has every column, all empty: `kube get nodes |
    /// get name` before the nodes register is `[]`, not an error.
    func testAColumnOfAnEmptyListIsEmpty() {
        XCTAssertEqual(output("[] | get name | to json"), "[]\n")
        XCTAssertEqual(output("let none = []\n$none.name | to json"), "[]\n")
    }

    func testFieldsOfAParenthesisedValue() {
        XCTAssertEqual(output(lab + "echo ($lab.vms | first).name ([10, 20]).1"), "k3s-cp-01 20\n")
    }

    func testGetFollowsDottedPaths() {
        XCTAssertEqual(output(lab + "$lab | get vms.1.cores"), "6\n")
    }

    func testAMissingFieldNamesThePathAndTheNearestField() {
        let err = failure(lab + "echo $lab.vms.0.nmae")
        XCTAssertTrue(err.contains("error: $lab.vms.0 has no field 'nmae'"), err)
        XCTAssertTrue(err.contains("hint: did you mean 'name'?"), err)
    }

    func testAnIndexPastTheEndSaysHowManyThereAre() {
        XCTAssertTrue(failure(lab + "echo $lab.vms.5").contains("$lab.vms has no item 5 (it has 2)"))
    }

    func testAFieldOfAScalarIsAnError() {
        XCTAssertTrue(
            failure(lab + "echo $lab.name.first").contains("$lab.name is a string, so it has no field 'first'"))
        XCTAssertTrue(failure("let x = null; echo $x.a").contains("$x is null, so it has no field 'a'"))
    }

    func testSetChangesAFieldPath() {
        XCTAssertEqual(
            output(lab + "set lab.vms.1.cores = 8\nset lab.owner.name = \"me\"\necho $lab.vms.1.cores $lab.owner.name"),
            "8 me\n")
    }
}

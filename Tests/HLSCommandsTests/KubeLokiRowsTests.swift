import HLSLanguage
import XCTest

@testable import HLSCommands

/// `kube loki`'s rows: the time in RFC 3339 with milliseconds, every label of the answer a column
/// in every row (so the table's columns do not depend on which stream a row came from), and a
/// label that would take the name of a fixed column kept apart.
final class KubeLokiRowsTests: XCTestCase {
    func testEachRowHasTheTimeEveryLabelOfTheAnswerAndTheLineLast() {
        let rows = KubeCommands.lokiRows([
            (1_569_266_497_240_578_000, ["pod": "web-1", "namespace": "apps"], "line", .string("GET /x 404")),
            (
                1_569_266_495_000_000_000, ["namespace": "apps", "node": "k3s-wk-01", "line": "7"], "line",
                .string("ok")
            ),
        ])
        let records = rows.compactMap { row -> Record? in if case .record(let r) = row { r } else { nil } }
        XCTAssertEqual(
            records.map(\.keys), Array(repeating: ["time", "label.line", "namespace", "node", "pod", "line"], count: 2))
        XCTAssertEqual(records[0]["time"], .string("2019-09-23T19:21:37.240Z"))
        XCTAssertEqual(records[0]["node"], .null, "a label the row's stream lacks")
        XCTAssertEqual(records[1]["label.line"], .string("7"))
        XCTAssertEqual(records[1]["line"], .string("ok"))
    }

    func testTimesKeepTheirMillisecondsWithLeadingZerosAndBeforeTheEpoch() {
        XCTAssertEqual(KubeCommands.lokiTime(1_780_000_000_005_000_000), "2026-05-28T20:26:40.005Z")
        XCTAssertEqual(KubeCommands.lokiTime(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(KubeCommands.lokiTime(-1_000_000), "1969-12-31T23:59:59.999Z")
    }
}

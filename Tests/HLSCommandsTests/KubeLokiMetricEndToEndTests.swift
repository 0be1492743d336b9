import Foundation
import XCTest

/// `kube loki` with a metric query, on the simulated lab's Loki (Alloy shipping its pods' lines):
/// a row per sample — the time, the labels of its series, the value as a float — in the table
/// and in `-o json`, and Loki's refusal of a malformed range in its words.
extension CommandExamplesTests {
    func testAMetricQueryGivesARowPerSampleWithItsSeriesLabelsAndAFloatValue() throws {
        var shared: SharedLab?
        let lab = try advance(&shared, to: .cluster)
        try prepareLoki(lab)
        // A step of a second: Loki aligns start and end to the step, so a longer one would end
        // before the lines this young lab has.
        let query =
            #"kube loki 'sum by (container) (count_over_time({namespace="monitoring", container="loki"}[10m]))' --since 10m --step 1s"#
        // The lines are young: the first sample comes once a whole step has passed since the first.
        let sampled = lab.run("wait (\(query) | count) --until $it > 0 --timeout 20s --every 500ms")
        XCTAssertEqual(sampled.status, 0, sampled.err)
        let json = lab.run(query + " -o json")
        XCTAssertEqual(json.status, 0, json.err)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        // One sample a second since the first line Loki has, the series' label and the count.
        XCTAssertFalse(rows.isEmpty, json.out)
        let last = try XCTUnwrap(rows.last)
        XCTAssertEqual(Set(last.keys), ["time", "container", "value"], json.out)
        XCTAssertEqual(last["container"] as? String, "loki")
        XCTAssertGreaterThan(last["value"] as? Double ?? 0, 0, json.out)
        XCTAssertTrue((last["time"] as? String)?.hasSuffix("Z") ?? false, json.out)

        let table = lab.run(query)
        XCTAssertEqual(table.status, 0, table.err)
        let header = table.out.split(separator: "\n").first { $0.contains("time") } ?? ""
        XCTAssertTrue(header.contains("container") && header.contains("value"), table.out)
        XCTAssertTrue(table.out.contains("loki"), table.out)

        let refused = lab.run(#"kube loki 'rate({namespace="monitoring"}[5minutes])'"#)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(
            refused.err.contains(#"Loki refused the query: parse error at line 0, col 30: unknown unit "minutes""#),
            refused.err)
    }
}

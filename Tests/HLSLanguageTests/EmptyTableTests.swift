import HLSCore
import HLSLanguage
import XCTest

/// An empty table shows the columns of the verb that made it: one header line, aligned as the
/// table with rows would be; JSON and YAML stay `[]`.
final class EmptyTableTests: XCTestCase {
    func testAnEmptyListWithColumnsIsItsHeader() {
        let columns = ["name", "vmid", "status"]
        XCTAssertEqual(
            Render.value(.list([]), format: .table, terminal: .plain, columns: columns), "name  vmid  status\n")
        XCTAssertEqual(Render.value(.list([]), format: .json, terminal: .plain, columns: columns), "[]\n")
        XCTAssertEqual(Render.value(.list([]), format: .table, terminal: .plain), "", "no columns: nothing")
        // The header of an empty table is the first line of that table with rows.
        let row = Value.record(
            Record([("name", .string("k3s-cp-01")), ("vmid", .int(101)), ("status", .string("up"))]))
        let full = Render.value(.list([row]), format: .table, terminal: .plain)
        XCTAssertEqual(full.split(separator: "\n").first.map(String.init), "name       vmid  status")
    }

    /// A query's empty value at the end of a statement shows its header; a mutation's does not
    /// (its "no change" says so), nor does a filter's.
    func testTheInterpreterShowsTheHeaderOfAQuerysEmptyTable() {
        var registry = Builtins.registry
        registry.registerObject("box", summary: "test boxes")
        registry.register(
            CommandSpec(
                ["box", "list"], summary: "No boxes", columns: ["name", "size"],
                implementation: .query { _ in .list([]) }))
        registry.register(
            CommandSpec(
                ["box", "apply"], summary: "Nothing to do", columns: ["target", "action"],
                implementation: .mutation { _ in .none }))
        let hls = HLS(registry: registry)
        XCTAssertEqual(hls.run("box list").out, "name  size\n")
        XCTAssertEqual(hls.run("box list -o json").out, "[]\n")
        XCTAssertEqual(hls.run("box list | where size > 1").out, "")
        XCTAssertEqual(hls.run("box apply").out, "")
    }
}

import Foundation
import HLSCore
import HLSRepl
import TestSupport
import XCTest

final class LineEditorTests: XCTestCase {
    /// libedit starts, reads lines without editing from a pipe (not a terminal), and ends.
    func testLibeditReadsLinesFromANonTerminalAndTearsDown() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let text = "vm list\necho héllo\n"
        _ = text.withCString { write(fds[1], $0, strlen($0)) }
        close(fds[1])
        var editor: LineEditor? = try LineEditor(
            program: "hlsh-test", input: fds[0], output: open("/dev/null", O_WRONLY))
        XCTAssertFalse(editor!.isEditing, "no editing when the input is not a terminal")
        XCTAssertEqual(editor!.readLine(), .line("vm list"))
        XCTAssertEqual(editor!.readLine(), .line("echo héllo"))
        XCTAssertEqual(editor!.readLine(), .endOfInput)
        editor = nil
        close(fds[0])
    }

    func testHistoryIsSavedWithMode0600AndLoadedByTheNextEditor() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("state/hlsh/history")
        let null = open("/dev/null", O_RDONLY)
        defer { close(null) }
        do {
            let editor = try LineEditor(program: "hlsh-test", input: null, historyFile: file)
            editor.addHistory("vm list")
            editor.addHistory("node facts k3s-cp-01")
            editor.addHistory("node facts k3s-cp-01")
            editor.saveHistory()
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let next = try LineEditor(program: "hlsh-test", input: null, historyFile: file)
        XCTAssertEqual(next.historyEntries, ["vm list", "node facts k3s-cp-01"], "loaded, and deduplicated")
    }

    func testLinesCarryingSecretsAreNotRecorded() {
        XCTAssertTrue(HistoryFilter.mayRecord("vm list | where status == \"running\""))
        XCTAssertFalse(HistoryFilter.mayRecord("let t = secret \"hunter2\""))
        XCTAssertFalse(HistoryFilter.mayRecord("curl -H 'Authorization: PVEAPIToken=root@pam!hlsh=abc'"))
        XCTAssertFalse(HistoryFilter.mayRecord("lab login --password hunter2"))
        XCTAssertFalse(HistoryFilter.mayRecord("echo Bearer eyJhbGciOi"))
    }
}

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

    /// A transient line (one carrying a secret) is recalled until the next line is added and never
    /// saved; a line an older hlsh saved though it carries one goes from memory and, at the next
    /// save, from the file.
    func testATransientLineIsRecalledOnceAndNeverSavedAndOldSecretLinesAreScrubbed() throws {
        let dir = try TemporaryDirectory()
        let file = dir.file("state/hlsh/history")
        let null = open("/dev/null", O_RDONLY)
        defer { close(null) }
        let secret = "echo ghp_382646b8ec0123456789abcdef0123456789"
        do {
            let older = try LineEditor(program: "hlsh-test", input: null, historyFile: file)
            older.addHistory("vm list")
            older.addHistory(secret)
            older.addHistory("node list")
            older.saveHistory()
        }
        let editor = try LineEditor(program: "hlsh-test", input: null, historyFile: file)
        editor.removeHistory { !HistoryFilter.mayRecord($0) }
        XCTAssertEqual(editor.historyEntries, ["vm list", "node list"])
        editor.addHistory(secret, transient: true)
        XCTAssertEqual(editor.historyEntries, ["vm list", "node list", secret], "Up recalls it")
        editor.saveHistory()
        XCTAssertEqual(editor.historyEntries.last, secret, "still recalled after a save")
        var saved = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertFalse(saved.contains("ghp_"), saved)
        XCTAssertTrue(saved.contains("node\\040list"), saved)
        editor.addHistory("echo next")
        XCTAssertEqual(editor.historyEntries, ["vm list", "node list", "echo next"], "gone once the next line is in")
        editor.saveHistory()
        saved = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertFalse(saved.contains("ghp_"), saved)
    }

    func testLinesCarryingSecretsAreNotRecorded() {
        XCTAssertTrue(HistoryFilter.mayRecord("vm list | where status == \"running\""))
        // A leading space keeps any line out, as HISTCONTROL=ignorespace does: a token of no known shape.
        XCTAssertFalse(HistoryFilter.mayRecord(" let cf = \"0123456789abcdef0123456789abcdef01234567\""))
        XCTAssertTrue(HistoryFilter.mayRecord("let cf = \"0123456789abcdef0123456789abcdef01234567\""))
        XCTAssertFalse(HistoryFilter.mayRecord("let t = secret \"hunter2\""))
        XCTAssertFalse(HistoryFilter.mayRecord("curl -H 'Authorization: PVEAPIToken=root@pam!hlsh=abc'"))
        XCTAssertFalse(HistoryFilter.mayRecord("lab login --password hunter2"))
        XCTAssertFalse(HistoryFilter.mayRecord("echo Bearer eyJhbGciOi"))
    }

    /// Issue 17's secrets by their well-known shapes, wherever they stand in the line; and the
    /// near misses, which stay.
    func testSecretsOfEveryKnownShapeAreNotRecordedAndNearMissesAre() {
        let secrets = [
            #"echo "root@pam!hlsh=c36c1176-3e88-4a55-9d1c-0123456789ab""#,
            "let t = 'terraform@pve!ci=C36C1176-3E88-4A55-9D1C-0123456789AB' | str length",
            "http get https://pve:8006 -H 'Authorization: PVEAPIToken=root@pam!hlsh=0123'",
            #"echo "ghp_382646b8ec0123456789abcdef0123456789""#,
            "echo gho_382646b8ec0123456789abcdef0123456789", "echo x,ghu_382646b8ec0123456789abcdef0123456789",
            "echo ghs_382646b8ec0123456789abcdef0123456789", "echo ghr_382646b8ec0123456789abcdef0123456789",
            "echo github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789",
            "echo github_pat_11AAAA0000bbbbCCCCddddEEEEffff",
            "echo AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQY",
            "echo K10aa11bb22cc33::server:0123456789abcdef", "echo K10aa11bb22cc33::node:0123456789abcdef",
            "echo K10aa11bb22cc33::abcdef.0123456789abcdef",
            "echo '-----BEGIN RSA PRIVATE KEY-----'", "echo '-----BEGIN EC PRIVATE KEY----- MHcCAQEE'",
            "gitops scaffold --cloudflare-api-token 0123456789abcdef0123456789abcdef01234567",
            "gitops scaffold --cf-token=0123456789abcdef", "node run k3s-cp-01 'k3s token create' --token abc",
            "vm apply --password 'hunter 2'", "CF_API_TOKEN=0123456789 hlsh vm list",
        ]
        for line in secrets { XCTAssertFalse(HistoryFilter.mayRecord(line), "recorded: \(line)") }
        let nearMisses = [
            "echo alice@example.com", "echo c36c1176-3e88-4a55-9d1c-0123456789ab", "echo ghp", "echo ghp_",
            "echo github_pat_", "node k3s k3s-wk-01", "echo K10 and node:1", "echo root@pam", "echo fe80::1",
            "node run k3s-cp-01 'cat /etc/hostname'", "vm list | where name =~ 'k3s'",
        ]
        for line in nearMisses { XCTAssertTrue(HistoryFilter.mayRecord(line), "not recorded: \(line)") }
    }
}

import Foundation
import TestSupport
import XCTest

/// The interactive shell in a real terminal (tmux): completion, history, Ctrl-C.
final class InteractiveShellTests: XCTestCase {
    var state: TemporaryDirectory!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed (scripts/test installs it)")
        }
        state = try TemporaryDirectory("hlsh-repl")
        // XCTest keeps every test case object until the run ends: release the directory with the test.
        addTeardownBlock { [self] in state = nil }
    }

    /// hlsh in a fresh terminal; with `color`, one that wants colour (no `NO_COLOR`).
    func shell(color: Bool = false, columns: Int = 120) throws -> TmuxTerminal {
        try hlshShell(in: state, color: color, columns: columns)
    }

    var historyFile: String { state.file("state/hlsh/history") }

    func testTabCompletesAPartialVerb() throws {
        let t = try shell()
        try t.type("ech")
        try t.press("Tab")
        try t.waitFor("the completed verb") { $0.contains("hlsh> echo ") }
        try t.type("completed-ok")
        try t.press("Enter")
        try t.waitFor("the command's output") { $0.components(separatedBy: "\n").contains("completed-ok") }
    }

    /// `lab status` and `lab doctor` complete from the registry, verb and flags.
    func testTabCompletesTheLabVerbsAndTheirFlags() throws {
        let t = try shell()
        try t.type("lab st")
        try t.press("Tab")
        try t.waitFor("the completed verb") { $0.contains("hlsh> lab status ") }
        try t.type("--ti")
        try t.press("Tab")
        try t.waitFor("the completed flag") { $0.contains("hlsh> lab status --timeout ") }
        try t.press("C-u")
        try t.type("lab do")
        try t.press("Tab")
        try t.waitFor("the other verb") { $0.contains("hlsh> lab doctor ") }
        try t.type("--ch")
        try t.press("Tab")
        try t.waitFor("its flag") { $0.contains("hlsh> lab doctor --checkout ") }
    }

    func testUpRecallsTheLastLineInANewProcessAndHistoryIsPrivate() throws {
        do {
            let t = try shell()
            try t.type("echo remembered-line")
            try t.press("Enter")
            try t.waitFor("output") { $0.components(separatedBy: "\n").contains("remembered-line") }
            try t.press("C-d")
            try t.waitFor("exit") { _ in t.exited }
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: historyFile)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let t = try shell()
        try t.press("Up")
        try t.waitFor("the recalled line") { $0.contains("hlsh> echo remembered-line") }
    }

    func testCtrlCOnALineClearsItAndTheShellLivesOn() throws {
        let t = try shell()
        try t.type("echo never-run")
        try t.press("C-c")
        try t.type("echo still-alive")
        try t.press("Enter")
        let (screen, _) = try t.waitFor("output after Ctrl-C") {
            $0.components(separatedBy: "\n").contains("still-alive")
        }
        XCTAssertFalse(screen.components(separatedBy: "\n").contains("never-run"))
        XCTAssertFalse(t.exited)
    }

    func testCtrlCDuringALongWaitReturnsToThePromptWithinASecond() throws {
        let t = try shell()
        try t.type("wait 1 --until $it > 5 --timeout 60s --every 100ms")
        try t.press("Enter")
        Thread.sleep(forTimeInterval: 0.5)
        try t.press("C-c")
        let (screen, elapsed) = try t.waitFor(timeout: 5, "the prompt after Ctrl-C") { s in
            s.contains("interrupted") && s.hasSuffixLine("hlsh> ")
        }
        XCTAssertLessThan(elapsed, 1.0, "Ctrl-C took \(elapsed)s to return:\n\(screen)")
        try t.type("echo after-interrupt")
        try t.press("Enter")
        try t.waitFor("the shell still works") { $0.components(separatedBy: "\n").contains("after-interrupt") }
    }

    func testThePromptShowsTheLabInUseAndHistoryListsTheLinesTyped() throws {
        let inventory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/homelab.yaml").path
        let t = try shell()
        try t.type("lab use \"\(inventory)\" | get name")
        try t.press("Enter")
        try t.waitFor("the prompt with the lab") { $0.contains("hlsh homelab> ") }
        try t.type("echo 'two words'")
        try t.press("Enter")
        try t.type("history | get line | to json --compact")
        try t.press("Enter")
        try t.waitFor("the history listing") { $0.contains(#""echo 'two words'""#) && $0.contains("lab use") }
    }

    /// With HLSH_LAB set, the lab is in use from the first prompt (it used to appear only after a
    /// first command loaded it, changing the prompt mid-session).
    func testTheLabOfHLSHLABIsInThePromptFromTheStart() throws {
        let inventory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/homelab.yaml").path
        let t = try hlshShell(in: state, environment: ["HLSH_LAB": inventory], prompt: "hlsh homelab> ")
        try t.type("echo first")
        try t.press("Enter")
        try t.waitFor("the output under the same prompt") { $0.contains("first\nhlsh homelab> ") }
    }

    /// Each of issue 17's secrets, pasted on a line as it looks (the PVE token, a k3s join token,
    /// an age identity, a private key's PEM and a kubeconfig's client-key-data), keeps the line
    /// out of the history file.
    func testALineCarryingASecretIsNotWrittenToHistory() throws {
        let lines = [
            "0000-secret": "echo 'Authorization: PVEAPIToken=root@pam!hlsh=0000-secret'",
            "1111-secret": "echo K10c0ffee::server:1111-secret",
            "2222SECRET": "echo AGE-SECRET-KEY-1QQ2222SECRET",
            "3333-secret": "echo '-----BEGIN OPENSSH PRIVATE KEY----- 3333-secret'",
            "4444-secret": "echo 'client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t 4444-secret'",
        ]
        do {
            let t = try shell()
            try t.type("echo kept-in-history")
            try t.press("Enter")
            for line in lines.values.sorted() {
                try t.type(line)
                try t.press("Enter")
            }
            // The lines typed ahead are echoed at once: wait for the last one's own output line
            // and the prompt after it, or Ctrl-D lands while the shell is still busy (the
            // terminal is not in raw mode then, and its line discipline swallows the ^D).
            try t.waitFor("every output") { screen in
                screen.components(separatedBy: "\n").contains("K10c0ffee::server:1111-secret")
                    && screen.hasSuffixLine("hlsh> ")
            }
            try t.press("C-d")
            try t.waitFor("exit") { _ in t.exited }
        }
        let history = try String(contentsOfFile: historyFile, encoding: .utf8)
        XCTAssertTrue(history.contains("kept-in-history"), history)
        for secret in lines.keys.sorted() {
            XCTAssertFalse(history.contains(secret), "\(secret) in: \(history)")
        }
    }
    /// The new-user trial of issue 17: a PVE API token as docs/runbook.md has users export it and
    /// a GitHub token, echoed bare, were saved verbatim. Every well-known shape stays out of the
    /// file; Up recalls a secret line only until the next line is entered (to fix a typo), and
    /// lines that merely look alike (an email address, a UUID, the word ghp) are kept.
    func testTokensOfKnownShapesNeverReachTheHistoryFileButUpRecallsTheLastOneOnce() throws {
        let secrets = [
            "c36c1176-3e88-4a55-9d1c-0123456789ab": #"echo "root@pam!hlsh=c36c1176-3e88-4a55-9d1c-0123456789ab""#,
            "ghp_382646b8ec0123456789abcdef0123456789": #"echo "ghp_382646b8ec0123456789abcdef0123456789""#,
            "github_pat_11AAAA0000": "echo github_pat_11AAAA0000bbbbCCCCddddEEEEffff",
            "0badc0de0badc0de": "echo K10aa11bb::node:0badc0de0badc0de",
            "tok-5555-secret": "echo '--token tok-5555-secret'",
        ]
        let nearMisses = ["echo alice@example.com", "echo 0f9e8d7c-3e88-4a55-9d1c-0123456789ab", "echo ghp"]
        do {
            let t = try shell()
            for line in nearMisses {
                try t.type(line)
                try t.press("Enter")
            }
            for (secret, line) in secrets.sorted(by: { $0.key < $1.key }) {
                try t.type(line)
                try t.press("Enter")
                try t.waitFor("the output of \(line)") { screen in
                    screen.contains(secret)
                        && screen.hasSuffixLine("hlsh> ")
                }
            }
            try t.press("Up")
            try t.waitFor("the last secret line, recalled") { $0.contains("hlsh> echo '--token tok-5555-secret'") }
            try t.press("C-u")
            try t.type("echo after-the-secrets")
            try t.press("Enter")
            try t.waitFor("its output") { $0.components(separatedBy: "\n").contains("after-the-secrets") }
            try t.press("Up")
            try t.press("Up")
            try t.waitFor("the line before the secrets") { $0.hasSuffixLine("hlsh> echo ghp") }
            try t.press("C-u")
            try t.press("C-d")
            try t.waitFor("exit") { _ in t.exited }
        }
        let history = try String(contentsOfFile: historyFile, encoding: .utf8)
        for line in nearMisses + ["echo after-the-secrets"] {
            XCTAssertTrue(
                history.contains(line.replacingOccurrences(of: " ", with: "\\040")), "\(line) not in: \(history)")
        }
        for secret in secrets.keys.sorted() {
            XCTAssertFalse(history.contains(secret), "\(secret) in: \(history)")
        }
    }

    func testTheColouredPromptShowsNoEscapeCodesAsText() throws {
        let t = try shell(color: true)
        try t.type("echo typed-after-the-prompt")
        try t.press("Enter")
        let (screen, _) = try t.waitFor("the output") {
            $0.components(separatedBy: "\n").contains("typed-after-the-prompt")
        }
        XCTAssertTrue(screen.contains("hlsh> echo typed-after-the-prompt"), screen)
        XCTAssertFalse(screen.contains("[1;36m") || screen.contains("[0m"), screen)
        // The colour is there, as escapes the terminal acted on.
        let coloured = t.screen(escapes: true)
        XCTAssertTrue(coloured.contains("\u{1B}[") && coloured.contains("hlsh"), coloured.debugDescription)
    }

    /// A table's state column (lab status, lab doctor) in colour on a colour terminal: ok green,
    /// failed red; in a terminal that does not want colour, plain.
    func testTheStateColumnIsColouredOnlyInAColourTerminal() throws {
        for color in [true, false] {
            let t = try shell(color: color)
            try t.type(#"[{state: ok, detail: fine}, {state: failed, detail: broken}]"#)
            try t.press("Enter")
            _ = try t.waitFor("the table") { $0.components(separatedBy: "\n").contains { $0.hasPrefix("failed") } }
            // tmux writes the colours as it holds them (green, then the default background, …).
            let lines = t.screen(escapes: true).components(separatedBy: "\n")
            let ok = lines.first { $0.contains("ok") && $0.hasSuffix("fine") } ?? ""
            let failed = lines.first { $0.contains("failed") && $0.hasSuffix("broken") } ?? ""
            XCTAssertEqual(ok.contains("\u{1B}[32m"), color, lines.debugDescription)
            XCTAssertEqual(failed.contains("\u{1B}[31m"), color, lines.debugDescription)
            t.close()
        }
    }

    func testCtrlCDuringSleepSaysInterruptedOnceWithThePlace() throws {
        let t = try shell()
        try t.type("sleep 30s")
        try t.press("Enter")
        Thread.sleep(forTimeInterval: 0.3)
        try t.press("C-c")
        let (screen, _) = try t.waitFor("the prompt after Ctrl-C") { s in
            s.contains("interrupted") && s.hasSuffixLine("hlsh> ")
        }
        XCTAssertTrue(screen.contains("\n^C interrupted: sleep at <repl:1>:1:1\n"), screen)
    }

    func testElseOnTheNextLineContinuesTheIf() throws {
        let t = try shell()
        try t.type("if false { echo then-branch }")
        try t.press("Enter")
        try t.type("else { echo else-branch }")
        try t.press("Enter")
        try t.waitFor("the else branch") { $0.components(separatedBy: "\n").contains("else-branch") }
        try t.type("echo after-the-if")
        try t.press("Enter")
        let (screen, _) = try t.waitFor("the output") { $0.components(separatedBy: "\n").contains("after-the-if") }
        XCTAssertTrue(screen.components(separatedBy: "\n").contains("else-branch"), screen)
        XCTAssertFalse(screen.contains("error"), screen)
        // An `if` without an `else` runs once an empty line (or another statement) follows it;
        // until then the prompt says why nothing ran yet.
        try t.type("if true { echo lone-if }")
        try t.press("Enter")
        try t.waitFor("the prompt asking for an else") { $0.contains("else? Enter runs it> ") }
        try t.press("Enter")
        try t.waitFor("the lone if's output") { $0.components(separatedBy: "\n").contains("lone-if") }
    }

    func testTheProgressLineFitsANarrowTerminal() throws {
        let t = try shell(columns: 24)
        try t.type("wait 1 --until $it > 5 --timeout 1500ms --every 100ms")
        try t.press("Enter")
        let (screen, _) = try t.waitFor("the timeout") { $0.contains("still false") }
        // Each redraw of a line wider than the terminal would wrap and leave a line behind.
        let left = screen.components(separatedBy: "\n").filter { $0.contains("waiting") }
        XCTAssertEqual(left, [], screen)
    }

    func testSIGTERMAtThePromptRestoresTheTerminalAndExits143() throws {
        let env = [
            "HOME": state.path, "XDG_STATE_HOME": state.file("state"), "NO_COLOR": "1", "TERM": "xterm-256color",
        ]
        // A shell around hlsh reports its status and the terminal's modes once it is gone.
        let script = "'\(BuiltBinary.hlsh)'; echo \"status=$?\"; stty -a"
        let t = try TmuxTerminal(command: ["/bin/sh", "-c", script], environment: env, directory: state.path)
        try t.waitFor("the prompt") { $0.contains("hlsh> ") }
        try t.type("echo half-typed")
        let hlsh = try XCTUnwrap(childProcesses(of: try XCTUnwrap(t.pid)).first, "hlsh below the terminal's shell")
        kill(hlsh, SIGTERM)
        let (screen, _) = try t.waitFor("the shell after hlsh") { $0.contains("status=") && $0.contains("icanon") }
        XCTAssertTrue(screen.contains("status=143"), screen)
        // Line editing's raw mode is undone: canonical input and echo are back.
        XCTAssertFalse(screen.contains("-icanon") || screen.contains(" -echo "), screen)
    }

    func testNodeSSHGivesARemoteTerminalAndReturnsToTheShell() throws {
        let sshd = try SSHDFixture.start()
        addTeardownBlock { sshd.stop() }
        try FileManager.default.createDirectory(atPath: state.file(".ssh"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: sshd.identityPath, toPath: state.file(".ssh/id_ed25519"))
        try state.write(".ssh/known_hosts", sshd.knownHostsLine + "\n", mode: 0o600)
        let t = try shell()
        try t.type("node ssh \(sshd.user)@127.0.0.1:\(sshd.port) sh")
        try t.press("Enter")
        // A remote shell on a terminal: `tty` names a pseudo-terminal, and the arithmetic
        // happens over there.
        try t.type("tty; echo remote-$((6*7))")
        try t.press("Enter")
        try t.waitFor("remote output") { $0.contains("remote-42") && $0.contains("/dev/pts/") }
        try t.type("exit")
        try t.press("Enter")
        // As with ssh, what is typed before the remote shell has gone goes to it: wait for the prompt.
        try t.waitFor("the local prompt") { $0.hasSuffixLine("hlsh>") }
        try t.type("echo back-home")
        try t.press("Enter")
        try t.waitFor("the local shell again") { $0.components(separatedBy: "\n").contains("back-home") }
    }
}

/// The processes whose parent is `pid` (from /proc).
func childProcesses(of pid: Int32) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { child in
        guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && Int32(fields[1]) == pid
    }
}

extension String {
    /// Whether the last non-empty line of a screen is `prefix` (ignoring trailing spaces).
    func hasSuffixLine(_ prefix: String) -> Bool {
        let lines = components(separatedBy: "\n").map {
            $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }
        guard let last = lines.last(where: { !$0.isEmpty }) else { return false }
        return last == prefix.trimmingCharacters(in: .whitespaces)
    }

}

import Foundation
import TestSupport
import XCTest

/// Completion in the outer shell: the scripts under `completions/` are what `hlsh completions`
/// prints, and bash's, zsh's and fish's own completion runs them against the built binary.
/// `HLSH_UPDATE_GOLDEN=1 swift test --filter ShellCompletionTests` rewrites the checked-in scripts.
final class ShellCompletionTests: XCTestCase {
    static let scripts = [("bash", "hlsh.bash"), ("zsh", "_hlsh"), ("fish", "hlsh.fish")]

    func testTheCheckedInScriptsAreWhatHlshCompletionsPrints() throws {
        let directory = SimulatedLabBinaryTests.repository + "/completions"
        for (shell, name) in Self.scripts {
            let run = try BuiltBinary.run(["completions", shell])
            XCTAssertEqual(run.status, 0, run.stderr)
            let path = directory + "/" + name
            if ProcessInfo.processInfo.environment["HLSH_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                try run.stdout.write(toFile: path, atomically: true, encoding: .utf8)
                continue
            }
            let checkedIn = try? String(contentsOfFile: path, encoding: .utf8)
            XCTAssertEqual(
                checkedIn, run.stdout,
                "completions/\(name) is not what `hlsh completions \(shell)` prints (HLSH_UPDATE_GOLDEN=1 rewrites it)")
        }
        let unknown = try BuiltBinary.run(["completions", "tcsh"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.hasPrefix("hlsh: completions needs one of bash, zsh, fish\n"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("Usage: hlsh completions bash|zsh|fish"), unknown.stderr)
        let help = try BuiltBinary.run(["completions", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        for shell in ["bash", "zsh", "fish"] {
            XCTAssertTrue(
                help.stdout.contains("hlsh completions \(shell) > "), "how to install for \(shell): \(help.stdout)")
        }
    }

    /// Objects, verbs, flags (the verb's and hlsh's run-wide ones), fixed flag values, hlsh's
    /// own options and `.hls` scripts, through bash's completion function with `COMP_WORDS` set.
    func testBashCompletesObjectsVerbsFlagsAndScripts() throws {
        let dir = try TemporaryDirectory("hlsh-bash-complete")
        try dir.write("site.hls", "echo hi\n")
        try dir.write("notes.txt", "")
        try FileManager.default.createDirectory(atPath: dir.file("phases"), withIntermediateDirectories: true)
        let env = Self.environment(home: dir.path)
        func complete(_ line: String) throws -> [String] {
            try Self.bash(line, environment: env, directory: dir.path)
        }
        XCTAssertEqual(try complete("hlsh vm st"), ["start", "stop"])
        XCTAssertTrue(try complete("hlsh ").contains("vm"))
        XCTAssertEqual(try complete("hlsh vo"), ["volume"])
        XCTAssertEqual(try complete("hlsh vm list --o"), ["--output"])
        XCTAssertEqual(try complete("hlsh vm list -o "), ["json", "table", "yaml"])
        XCTAssertEqual(try complete("hlsh --output y"), ["yaml"])
        XCTAssertEqual(try complete("hlsh vm apply --all --dr"), ["--dry-run"])
        XCTAssertEqual(try complete("hlsh --dry-run vm destroy --y"), ["--yes"])
        XCTAssertEqual(try complete("hlsh --de"), ["--detailed-exitcode"])
        XCTAssertEqual(try complete("hlsh sit"), ["site.hls"])
        XCTAssertEqual(try complete("hlsh note"), [], "only .hls files are scripts")
        XCTAssertEqual(try complete("hlsh ph"), ["phases/"])
        XCTAssertEqual(try complete("hlsh completions "), ["bash", "fish", "zsh"])
        XCTAssertEqual(try complete("hlsh site.hls no"), ["notes.txt"], "a script's arguments are any files")
    }

    /// Live VM names from a simulated lab (`hlsh sim serve`), by state for the verb as in the
    /// REPL, kept on disk between Tabs: once the lab is gone the cached names still answer.
    func testBashCompletesLiveVMNamesAndKeepsThemBetweenTabs() throws {
        let lab = try Self.lab()
        func complete(_ line: String) throws -> [String] {
            try Self.bash(line, environment: lab.environment, directory: SimulatedLabBinaryTests.repository)
        }
        XCTAssertEqual(try complete("hlsh vm stop k3s"), ["k3s-cp-01"])
        XCTAssertEqual(try complete("hlsh vm start "), [], "k3s-cp-01 runs; nothing to start")
        XCTAssertEqual(try complete("hlsh -o json vm show k"), ["k3s-cp-01"])
        let cache = lab.environment["XDG_CACHE_HOME"]! + "/hlsh/completion-names.json"
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache), "no cache at \(cache)")
        // The lab's API now answers nothing: the names come from the cache (TTL 15 s).
        let listener = try TCPListener()
        var unreachable = lab.environment
        unreachable["PROXMOX_VE_ENDPOINT"] = "https://127.0.0.1:\(listener.port)/"
        let cached = try Self.bash(
            "hlsh vm stop k", environment: unreachable, directory: SimulatedLabBinaryTests.repository)
        XCTAssertEqual(cached, [], "another lab's names are not this one's")
        var sameLab = lab.environment
        sameLab["PROXMOX_VE_API_TOKEN"] = "root@pam!hlsh=00000000-0000-0000-0000-000000000000"
        XCTAssertEqual(
            try Self.bash("hlsh vm stop k", environment: sameLab, directory: SimulatedLabBinaryTests.repository),
            ["k3s-cp-01"], "a fresh answer in the cache is not fetched again")
    }

    func testZshCompletesVerbsAndLiveVMNames() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh") else {
            throw XCTSkip("zsh is not installed")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let lab = try Self.lab()
        var env = lab.environment
        env["TERM"] = "xterm-256color"
        env["PS1"] = "zsh> "
        let t = try TmuxTerminal(
            command: ["/usr/bin/zsh", "-f", "-i"], environment: env, directory: SimulatedLabBinaryTests.repository)
        defer { t.close() }
        try t.waitFor("the prompt") { $0.contains("zsh> ") }
        try t.type("autoload -U compinit && compinit -u -D && source completions/_hlsh && clear")
        try t.press("Enter")
        try t.waitFor("the cleared prompt") { $0.hasPrefix("zsh> ") }
        /// Types `typed` on an empty line, presses Tab, and waits for the screen to show it completed.
        func tab(_ typed: String, _ what: String, until shown: (String) -> Bool) throws {
            try t.press("C-u")
            try t.type(typed)
            try t.press("Tab")
            try t.waitFor(what, shown)
        }
        try tab("hlsh vm st", "the verbs with their summaries") {
            $0.contains("start") && $0.contains("Start a VM") && $0.contains("stop")
        }
        try tab("hlsh vm stop k3s-", "the running VM completed") { $0.contains("hlsh vm stop k3s-cp-01 ") }
        try tab("hlsh vm list -o ya", "the output format completed") { $0.contains("hlsh vm list -o yaml ") }
    }

    func testFishCompletesVerbsAndLiveVMNames() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") else {
            throw XCTSkip("fish is not installed")
        }
        let lab = try Self.lab()
        func complete(_ line: String) throws -> [String] {
            let run = try runProcess(
                "/usr/bin/fish",
                ["--no-config", "-c", #"source completions/hlsh.fish; complete -C "$argv[1]""#, line],
                environment: lab.environment, currentDirectory: SimulatedLabBinaryTests.repository)
            XCTAssertEqual(run.status, 0, run.stderr)
            return run.stdout.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) }
        }
        XCTAssertEqual(try complete("hlsh vm st"), ["start", "stop"])
        XCTAssertEqual(try complete("hlsh vm list --output "), ["json", "table", "yaml"])
        XCTAssertEqual(try complete("hlsh vm stop k3s"), ["k3s-cp-01"])
    }

    /// A lab that cannot be reached (its API accepts connections and never answers) gives no
    /// candidates, no output on stderr, exit 0, within the one-second deadline.
    func testCompleteWithAnUnreachableLabIsSilentAndWithinItsDeadline() throws {
        let dir = try TemporaryDirectory("hlsh-complete-unreachable")
        let listener = try TCPListener()
        var env = Self.environment(home: dir.path)
        env["PROXMOX_VE_ENDPOINT"] = "https://127.0.0.1:\(listener.port)/"
        env["PROXMOX_VE_API_TOKEN"] = "root@pam!hlsh=00000000-0000-0000-0000-000000000000"
        let start = Date()
        let run = try BuiltBinary.run(["__complete", "vm", "stop", ""], environment: env, currentDirectory: dir.path)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "")
        XCTAssertEqual(run.stderr, "")
        XCTAssertLessThan(elapsed, 2.5, "took \(elapsed) s")
        // No inventory and no API at all: as silent.
        let bare = try BuiltBinary.run(
            ["__complete", "vm", "stop", ""], environment: Self.environment(home: dir.path),
            currentDirectory: dir.path)
        XCTAssertEqual([bare.stdout, bare.stderr], ["", ""])
        XCTAssertEqual(bare.status, 0)
    }

    // MARK: - Helpers

    /// An environment with nothing of a lab: its own home, state and cache, hlsh on `PATH`.
    static func environment(home: String) -> [String: String] {
        [
            "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CACHE_HOME": home + "/cache", "NO_COLOR": "1",
            "PATH": (BuiltBinary.hlsh as NSString).deletingLastPathComponent + ":/usr/bin:/bin",
        ]
    }

    /// What bash's completion function leaves in `COMPREPLY` for `line` (the cursor at its end),
    /// with completions/hlsh.bash sourced into a fresh bash.
    static func bash(_ line: String, environment: [String: String], directory: String) throws -> [String] {
        var words = line.split(separator: " ").map(String.init)
        if line.hasSuffix(" ") { words.append("") }
        let code = #"""
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _hlsh
            printf '%s\n' "${COMPREPLY[@]}"
            """#
        let script = SimulatedLabBinaryTests.repository + "/completions/hlsh.bash"
        let run = try runProcess(
            "/bin/bash", ["--norc", "--noprofile", "-c", code, "bash", script] + words, environment: environment,
            currentDirectory: directory)
        guard run.status == 0 else { throw CompletionTestFailure("bash failed: \(run.stderr)") }
        return run.stdout.split(separator: "\n").map(String.init)
    }

    /// One simulated lab (`hlsh sim serve`) for the class, with k3s-cp-01 applied and running,
    /// and the environment of a shell that sourced its `env` (and the example inventory).
    static func lab() throws -> SharedLab { try SharedLab.shared.get() }

    override class func tearDown() {
        SharedLab.shared.release()
        super.tearDown()
    }
}

final class SharedLab: @unchecked Sendable {
    static let shared = ClassShared(make: SharedLab.init, drop: { $0.serve.stop() })

    let directory: TemporaryDirectory
    let serve: SimServe
    let environment: [String: String]

    init() throws {
        directory = try TemporaryDirectory("hlsh-complete-lab")
        let home = try directory.userHome()
        serve = try SimServe(directory: directory.file("lab"), home: home)
        guard serve.serving else { throw CompletionTestFailure("sim serve did not come up") }
        var env = try serve.shellEnvironment(home: home, state: directory.file("state"))
        env["XDG_CACHE_HOME"] = directory.file("cache")
        env["HLSH_LAB"] = SimulatedLabBinaryTests.repository + "/scripts/homelab.yaml"
        env["PATH"] = (BuiltBinary.hlsh as NSString).deletingLastPathComponent + ":/usr/bin:/bin"
        environment = env
        let apply = try runProcess(BuiltBinary.hlsh, ["vm", "apply", "k3s-cp-01"], environment: env)
        guard apply.status == 0 else { throw CompletionTestFailure("vm apply failed: \(apply.stderr)") }
    }
}

struct CompletionTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

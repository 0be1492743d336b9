import Foundation
import TestSupport
import XCTest

/// What a user sees from the built binary, compared with the snapshots in Golden/.
final class GoldenTests: XCTestCase {
    let table =
        #"[{name: k3s-cp-01, role: server, cores: 4, memory: 8G}, {name: k3s-wk-01, role: agent, cores: 6, memory: 16G}]"#

    // MARK: Help and version

    func testVersion() throws {
        try assertGolden("version", ["--version"], status: 0)
    }

    func testHelp() throws {
        try assertGolden("help", ["--help"], status: 0)
    }

    func testShortHelpIsTheHelp() throws {
        let long = try BuiltBinary.run(["--help"])
        let short = try BuiltBinary.run(["-h"])
        XCTAssertEqual(short.status, 0)
        XCTAssertEqual(short.stdout, long.stdout)
    }

    // MARK: hlsh's own options: usage errors exit 2 and name the option

    func testUnknownOptionSuggestsTheNearestOne() throws {
        try assertGolden("option-unknown", ["--dry-rn", "vm", "list"], status: 2)
    }

    func testOutputFormatMustBeOneOfTheChoices() throws {
        try assertGolden("option-bad-output", ["-o", "xml", "-c", "echo hi"], status: 2)
    }

    func testDashCNeedsCommands() throws {
        try assertGolden("option-c-needs-value", ["-c"], status: 2)
    }

    func testRunWideOptionAmongACommandsWordsIsChecked() throws {
        try assertGolden("option-bad-output-among-words", ["vm", "list", "--output=jsno"], status: 2)
    }

    func testCombinedShortOptions() throws {
        try assertGolden("option-combined", ["-yc", "confirm \"go?\" | to json"], status: 0)
    }

    func testHelpCommand() throws {
        try assertGolden("help-command", ["-c", "help"], status: 0)
    }

    func testHelpOfAVerb() throws {
        try assertGolden("help-where", ["-c", "help where"], status: 0)
    }

    func testDashDashHelpOfAVerb() throws {
        try assertGolden("where-dash-dash-help", ["-c", "where --help"], status: 0)
    }

    func testHelpOfTheNodeObject() throws {
        try assertGolden("help-node", ["-c", "help node"], status: 0)
    }

    func testHelpOfTheCertObject() throws {
        try assertGolden("help-cert", ["-c", "help cert"], status: 0)
    }

    func testHelpOfCertWhy() throws {
        try assertGolden("help-cert-why", ["cert", "why", "--help"], status: 0)
    }

    func testHelpOfTheVolumeObject() throws {
        try assertGolden("help-volume", ["-c", "help volume"], status: 0)
    }

    func testHelpOfNodeHarden() throws {
        try assertGolden("help-node-harden", ["node", "harden", "--help"], status: 0)
    }

    func testHelpOfAnUnknownTopic() throws {
        try assertGolden("help-unknown", ["-c", "help wehre"], status: 2)
    }

    func testObjectDashDashHelpPrintsTheObjectsHelp() throws {
        try assertGolden("vm-dash-dash-help", ["vm", "--help"], status: 0)
    }

    func testAnObjectWithoutAVerbListsItsVerbs() throws {
        try assertGolden("vm-needs-verb", ["vm"], status: 2)
    }

    func testOneArgumentWithSpacesPointsToDashC() throws {
        try assertGolden("one-argument-with-spaces", ["vm list"], status: 2)
    }

    // MARK: Values and formats

    func testTable() throws {
        try assertGolden("table", ["-c", table], status: 0)
    }

    func testTableAsJSON() throws {
        try assertGolden("table-json", ["-o", "json", "-c", table], status: 0)
    }

    func testTableAsYAML() throws {
        try assertGolden("table-yaml", ["-o", "yaml", "-c", table], status: 0)
    }

    func testTheOutputFlagOnAVerbMatchesTheGlobalOne() throws {
        try assertGolden("sort-dash-o-json", ["-c", "[3, 1, 2] | sort -o json"], status: 0)
        let global = try BuiltBinary.run(
            ["-o", "json", "-c", "[3, 1, 2] | sort"], environment: ["HOME": "/nonexistent"])
        let local = try BuiltBinary.run(["-c", "[3, 1, 2] | sort -o json"], environment: ["HOME": "/nonexistent"])
        XCTAssertEqual(local.stdout, global.stdout)
    }

    func testPipelineToJSON() throws {
        try assertGolden("sort-to-json", ["-c", "[3,1,2] | sort | to json"], status: 0)
    }

    func testNoColorTableHeader() throws {
        try assertGolden(
            "table-no-color", ["-c", "[{name: web, cores: 2}]"], status: 0, environment: ["NO_COLOR": "1"])
    }

    func testForceColorTableHeader() throws {
        try assertGolden(
            "table-force-color", ["-c", "[{name: web, cores: 2}]"], status: 0, environment: ["FORCE_COLOR": "1"])
    }

    func testOneCommandFromTheCommandLine() throws {
        try assertGolden("one-command", ["echo", "hello,", "lab"], status: 0)
    }

    // MARK: Errors and exit codes

    func testSyntaxErrorsAreAllReportedWithCarets() throws {
        let code = """
            let nodes = [k3s-cp-01, k3s-wk-01]
            for n in $nodes {
                echo (1 + )
                lett x = 1
            }
            $nodes | srot
            echo "unterminated
            """
        try assertGolden("syntax-errors", ["-c", code], status: 2)
    }

    func testUnknownCommandHint() throws {
        try assertGolden("unknown-command", ["-c", "echo start\n[3, 1] | srot"], status: 2)
    }

    func testUnknownFlagHint() throws {
        try assertGolden("unknown-flag", ["-c", "[3, 1] | sort --des"], status: 2)
    }

    /// The binary's main thread knows its stack's bounds (`StackGuard`, from the kernel's
    /// layout rather than `/proc/self/maps`, docs/adr/0060): runaway recursion is an error.
    func testRunawayRecursionInTheBinaryIsAnErrorNotACrash() throws {
        try assertGolden("runaway-recursion", ["-c", "def down(n) { down ($n + 1) }\ndown 0"], status: 1)
    }

    func testRuntimeErrorWithLocation() throws {
        let code = """
            let vms = [{name: web, cores: 2}, {name: db, cores: 4}]
            echo "checking $($vms | count) vms"
            $vms | where nmae == web
            echo unreachable
            """
        try assertGolden("runtime-error", ["-c", code], status: 1)
    }

    /// Every problem of an inventory at once, each with its line and a caret; a typo says
    /// which field it meant, before the required field it leaves missing.
    func testInventoryProblemsAreAllReportedWithCarets() throws {
        let inventory = """
            proxmox:
              nodes: [pve1]
            template:
              name: ubuntu-2404-cloud
            storage: local-lvm
            network:
              gateway: 10.0.0.1
            ssh:
              user: ubuntu
              public_keys: [~/.ssh/id_ed25519.pub]
            vms:
              - name: cp
                host: pve1
                role: server
                cores: 2
                memory: 4G
                os_disk: 20G
                ip: 10.0.0.10/24
              - name: wk
                host: pve1
                role: agent
                cores: 0
                memroy: 4G
                os_disk: 20G
                ip: 10.0.0.11/24
            k3s:
              version: v1.31.4+k3s1

            """
        try assertGolden(
            "inventory-problems", ["-c", "lab use homelab.yaml"], status: 1, files: ["homelab.yaml": inventory])
    }

    /// `lab status` as users see it on a lab whose VMs do not exist yet: the hosts ok, every
    /// layer above them missing with the reason, and status 0.
    func testLabStatusOfAnEmptySimulatedLab() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/homelab.yaml").path
        try assertGolden(
            "lab-status-empty", ["--sim", "lab", "status"], status: 0,
            files: ["homelab.yaml": try String(contentsOfFile: shipped, encoding: .utf8)])
    }

    /// What hlsh reads to reach the lab (credentials, settings, a kubeconfig, the inventory),
    /// missing or invalid, is a failure naming what to set: exit 1. Exit 2 stays for a command
    /// line or script hlsh cannot understand (ADR 0043).
    func testMissingCredentialsAndConfigurationAreFailuresNotUsageErrors() throws {
        try assertGolden("no-proxmox-endpoint", ["vm", "list"], status: 1)
        try assertGolden(
            "no-proxmox-credentials", ["vm", "list"], status: 1,
            environment: ["PROXMOX_VE_ENDPOINT": "https://127.0.0.1:8006/"])
        try assertGolden(
            "no-kubeconfig", ["kube", "get", "nodes"], status: 1, environment: ["KUBECONFIG": "absent-kubeconfig"])
    }

    /// A file hlsh is told to read that is not there is a failure (exit 1), as kubectl and
    /// ansible-playbook have it, not a usage error (2): the command was understood (ADR 0054).
    func testAFileThatCannotBeReadIsAFailureNotAUsageError() throws {
        try assertGolden("secret-encrypt-missing", ["secret", "encrypt", "missing.yaml"], status: 1)
        try assertGolden("flux-validate-missing", ["flux", "validate", "missing"], status: 1)
        try assertGolden(
            "check-sourced-missing", ["-n", "main.hls"], status: 1, files: ["main.hls": "source \"lib.hls\"\necho hi\n"]
        )
        // A script that also does not parse is one hlsh cannot understand: 2.
        try assertGolden(
            "check-sourced-missing-and-syntax", ["-n", "main.hls"], status: 2,
            files: ["main.hls": "source \"lib.hls\"\necho (1 + )\n"])
    }

    /// --detailed-exitcode tells only what a dry run found: alone it would do nothing, so it is
    /// refused naming both flags.
    func testDetailedExitCodeWithoutDryRunIsAUsageError() throws {
        try assertGolden("detailed-exitcode-without-dry-run", ["--detailed-exitcode", "-c", "echo hi"], status: 2)
        try assertGolden(
            "detailed-exitcode-among-words-without-dry-run", ["vm", "list", "--detailed-exitcode"], status: 2)
    }

    /// A flag a verb cannot run without shows in its usage without brackets, and says so.
    func testARequiredFlagShowsAsRequired() throws {
        try assertGolden("help-sim-serve", ["sim", "serve", "--help"], status: 0)
    }

    /// node run runs its command again on each run: its help says so once, with the dry run.
    func testNodeRunsHelpSaysItIsNotIdempotent() throws {
        try assertGolden("help-node-run", ["node", "run", "--help"], status: 0)
    }

    /// A VM name neither the cluster nor the inventory knows, and close to none: the hint lists
    /// the VMs there are.
    func testAnUnknownVMListsTheKnownOnes() throws {
        try assertGolden("vm-stop-unknown", ["--sim", "vm", "stop", "nosuch"], status: 1)
    }

    /// A list verb with nothing to list prints its table's header (every verb's declared
    /// columns, through Render's one table path); as JSON it is `[]`. A filter after it has no
    /// columns of its own, so an empty result there prints nothing, as before.
    func testAnEmptyListPrintsItsHeader() throws {
        try assertGolden(
            "vm-list-empty",
            ["--sim", "-c", "vm list\nvm list -o json\nvm list | to json\nvm list | where status == running"],
            status: 0)
        try assertGolden("vm-list-empty-json", ["--sim", "-o", "json", "vm", "list"], status: 0)
    }

    func testExitStatus() throws {
        try assertGolden("exit-7", ["-c", "echo leaving\nexit 7\necho never"], status: 7)
    }

    func testDryRunWithNoPendingChangesIsZero() throws {
        try assertGolden(
            "dry-run-nothing-pending", ["--dry-run", "--detailed-exitcode", "-c", "echo nothing to change"], status: 0)
    }

    // MARK: Scripts

    func testCheckingAValidScript() throws {
        try assertGolden(
            "check-valid", ["-n", "site.hls"], status: 0,
            files: ["site.hls": "def greet(who) { echo \"hello $who\" }\ngreet lab\n"])
    }

    func testCheckingAnInvalidScriptReportsEveryError() throws {
        try assertGolden(
            "check-invalid", ["-n", "broken.hls"], status: 2,
            files: ["broken.hls": "echo fine\nlet = 3\nif true {\n    echo (1 +)\n}\nfro x in [1] { }\necho \"open\n"])
    }

    /// `-n` reads only the variables that colour and lay out its diagnostics (docs/adr/0060):
    /// FORCE_COLOR still colours them as in a run.
    func testCheckingColoursItsDiagnosticsUnderForceColor() throws {
        try assertGolden(
            "check-invalid-force-color", ["-n", "broken.hls"], status: 2,
            files: ["broken.hls": "echo fine\nlet = 3\n[3, 1] | srot\n"], environment: ["FORCE_COLOR": "1"])
    }

    func testCheckingReportsErrorsInSourcedFiles() throws {
        try assertGolden(
            "check-sourced-error", ["-n", "scripts/main.hls"], status: 2,
            files: [
                "scripts/main.hls": "source \"lib/common.hls\"\ngreet lab\n",
                "scripts/lib/common.hls": "def greet(who) {\n    echo (\"hello \" + )\n}\n",
            ])
    }

    /// A file as editors on other systems write it: a UTF-8 byte order mark, CRLF line endings,
    /// tabs, non-ASCII names and strings. The mark is not part of the first word, a CR is space,
    /// a tab and a non-ASCII character are one column each, so every error keeps its line:col.
    func testCheckingAFileWithABOMCRLFTabsAndNonASCIIText() throws {
        let text =
            [
                "\u{FEFF}echoo \"é✓\"", "let café = \"naïve $x ünï\"", "\techo\t'ß' (1 + )",
                "def grüß(wer) { echo \"¡hola $wer!\" }",
                "grüß Welt\techo", "if $café == \"x\" {\t} elif \"ö\" {", "}", "echo \"naïve",
            ].joined(separator: "\r\n") + "\r\n"
        try assertGolden("check-bom-crlf-tabs", ["-n", "windows.hls"], status: 2, files: ["windows.hls": text])
    }

    func testCheckingDoesNotRun() throws {
        try assertGolden("check-does-not-run", ["-n", "-c", "echo should not print; exit 9"], status: 0)
    }

    func testAScriptReceivesItsArguments() throws {
        let script = """
            echo "args: $args"
            echo "first: $args.0, count: $($args | count)"
            for a in $args { echo "- $a" }
            """
        try assertGolden("script-args", ["greet.hls", "alpha", "beta gamma"], status: 0, files: ["greet.hls": script])
    }

    func testAScriptSourcesAFileBesideIt() throws {
        try assertGolden(
            "script-source", ["scripts/main.hls"], status: 0,
            files: [
                "scripts/main.hls": "source \"lib/common.hls\"\ngreet lab\n",
                "scripts/lib/common.hls": "def greet(who) { echo \"hello $who from common\" }\n",
            ])
    }

    func testAnUnreadableScript() throws {
        try assertGolden("script-missing", ["missing.hls"], status: 1)
    }

    // MARK: Standard input

    func testCommandsFromStandardInputIncludingBlocksAndAnElseOnItsOwnLine() throws {
        let stdin = """
            let total = 0
            for n in [1, 2, 3] {
                set total = $total + $n
                echo "n=$n"
            }
            echo "total: $total"
            if $total > 5 {
                echo big
            }
            else {
                echo small
            }

            """
        try assertGolden("stdin", [], status: 0, stdin: stdin)
    }

    func testAFailureOnStandardInputStopsAndNamesTheLine() throws {
        try assertGolden("stdin-error", [], status: 1, stdin: "echo one\necho two\nassert 1 > 2 \"math\"\necho three\n")
    }

    func testAnIncompleteBlockOnStandardInput() throws {
        try assertGolden("stdin-incomplete", [], status: 2, stdin: "echo one\nif true {\n    echo two\n")
    }
}

/// `help if`, `help let`: a short help with an example for every keyword of the language.
/// Keywords that belong to one statement (`elif`, `else`; `in`, `break`, `continue`; `catch`;
/// `return`) share its help. Every example is run by the tests and must print `output`.
public struct KeywordHelp: Sendable {
    /// The keywords this help answers for; the first names the statement.
    public let keywords: [String]
    public let summary: String
    public let usage: String
    public let example: String
    /// What the example prints on standard output.
    public let output: String

    /// What the `source` example's `lib/common.hls` holds (the help says so, and the test
    /// writes it beside the example).
    public static let sourcedLibrary = "def greet(who) { echo \"hello $who\" }\n"

    public static func entry(for keyword: String) -> KeywordHelp? {
        entries.first { $0.keywords.contains(keyword) }
    }

    /// The help as `help KEYWORD` prints it.
    public var text: String {
        func indented(_ s: String) -> String {
            s.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "  " + $0 + "\n" }.joined()
        }
        var out = "\(keywords.joined(separator: ", ")) — \(summary)\n\nUsage: \(usage)\n\nExample:\n"
        out += indented(example)
        if !output.isEmpty { out += "\nPrints:\n" + indented(output) }
        return out
    }

    public static let entries: [KeywordHelp] = [
        KeywordHelp(
            keywords: ["let"], summary: "bind a new variable in this block", usage: "let NAME = VALUE",
            example: "let nodes = [k3s-cp-01, k3s-wk-01]\necho \"$($nodes | count) nodes\"\n", output: "2 nodes\n"),
        KeywordHelp(
            keywords: ["set"], summary: "change a variable declared with let, or one field of it",
            usage: "set NAME = VALUE | set NAME.FIELD = VALUE",
            example: "let vm = {name: web, cores: 2}\nset vm.cores = 4\necho $vm.cores\n", output: "4\n"),
        KeywordHelp(
            keywords: ["if", "elif", "else"],
            summary: "run the block of the first condition that holds; in ( ) or after '=' it gives that block's value",
            usage: "if COND { … } [elif COND { … }] [else { … }]",
            example: """
                let mem = 16G
                if $mem > 32G { echo large } elif $mem > 8G { echo medium } else { echo small }
                echo (if $mem > 8G { "ok" } else { "tight" })

                """, output: "medium\nok\n"),
        KeywordHelp(
            keywords: ["for", "in", "break", "continue"],
            summary: "run a block for each item of a list; 'continue' skips to the next, 'break' leaves the loop",
            usage: "for NAME in LIST { … }",
            example: """
                for n in [1, 2, 3, 4] {
                    if $n == 2 { continue }
                    if $n == 4 { break }
                    echo "n=$n"
                }

                """, output: "n=1\nn=3\n"),
        KeywordHelp(
            keywords: ["parallel"], summary: "a 'for' whose iterations run at once, at most --limit at a time (4)",
            usage: "parallel for NAME in LIST [--limit N] { … }",
            example: """
                parallel for host in [a, b, c] --limit 2 {
                    assert ($host != "") "empty host name"
                }
                echo "all checked"

                """, output: "all checked\n"),
        KeywordHelp(
            keywords: ["while"], summary: "run a block as long as a condition holds", usage: "while COND { … }",
            example: "let n = 1\nwhile $n < 100 { set n = $n * 2 }\necho $n\n", output: "128\n"),
        KeywordHelp(
            keywords: ["def", "return"],
            summary: "declare a procedure, called like a command; 'return' ends it with a value",
            usage: "def NAME(PARAM, --FLAG) { … }",
            example: "def double(x) { return $x * 2 }\necho (double 21)\n", output: "42\n"),
        KeywordHelp(
            keywords: ["phase"], summary: "a named step of a runbook; --resume skips the phases that completed",
            usage: "phase NAME { … }", example: "phase \"1 check\" {\n    echo checking\n}\n", output: "checking\n"),
        KeywordHelp(
            keywords: ["retry"], summary: "run a block again when it fails, up to N attempts",
            usage: "retry N [--delay DURATION] { … }",
            example: "retry 3 --delay 1ms {\n    echo trying\n}\n", output: "trying\n"),
        KeywordHelp(
            keywords: ["try", "catch"],
            summary: "run a block; on failure run the catch block with the error as a record",
            usage: "try { … } [catch NAME { … }]",
            example: """
                try {
                    assert false "disk missing"
                } catch e {
                    echo "caught: $e.message"
                }

                """, output: "caught: assertion failed: disk missing\n"),
        KeywordHelp(
            keywords: ["assert"], summary: "fail with a message unless a condition holds",
            usage: "assert COND [MESSAGE]",
            example: "let cores = 4\nassert $cores >= 2 \"need at least 2 cores\"\necho ok\n", output: "ok\n"),
        KeywordHelp(
            keywords: ["source"],
            summary:
                "run another file here, so its defs and variables are yours (a relative path is taken from the script's directory; here lib/common.hls holds: def greet(who) { echo \"hello $who\" })",
            usage: "source PATH", example: "source \"lib/common.hls\"\ngreet lab\n", output: "hello lab\n"),
        KeywordHelp(
            keywords: ["exit"], summary: "end the script with a status (0 when none is given)", usage: "exit [N]",
            example: "echo done\nexit 0\necho never\n", output: "done\n"),
    ]
}

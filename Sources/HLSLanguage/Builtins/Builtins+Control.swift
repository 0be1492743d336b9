import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Builtins {
    static let control: [CommandSpec] = [
        CommandSpec(
            ["wait"], summary: "Evaluate a value again and again until a condition holds",
            discussion:
                "The value is evaluated every --every; inside --until, bare names are its fields and $it is the value. Ctrl-C stops the wait at once. Under --dry-run, once an earlier step planned a change, the condition is checked once: if it does not hold, a note says what would be waited for, the value is an empty list, and the run goes on.",
            positionals: [Parameter("value", .lazy, "what to evaluate each time, e.g. (vm show k3s-cp-01)")],
            flags: [
                Flag("until", .condition, "the condition to wait for", required: true),
                Flag("timeout", .duration, "give up after this long", default: .duration(.seconds(300))),
                Flag("every", .duration, "time between evaluations", default: .duration(.seconds(5))),
            ],
            examples: [
                Example(
                    "wait 3 --until $it > 2 --timeout 1s --every 10ms", "returns once the condition holds",
                    output: "3\n")
            ],
            implementation: .builtin { inv in
                guard let produce = inv.lazy("value") else { throw inv.usage("missing <value>") }
                guard let until = inv.condition("until") else { throw inv.usage("--until is required") }
                let timeout = inv.duration(defaulted: "timeout")
                var poll = Poll(
                    "the condition at \(inv.location)", timeout: timeout, every: inv.duration(defaulted: "every"),
                    cancellation: inv.context.cancellation, at: .source(inv.location),
                    hint: "raise --timeout, or check what is awaited")
                poll.timeoutMessage = "wait: condition still false after \(timeout.text)"
                let interpreter = inv.interpreter
                return try poll.until(showingOn: inv.context) { () throws -> Poll.Check<Value> in
                    do {
                        let before = interpreter.notRun.withLock { $0.count }
                        let value = try produce()
                        if try until(value) { return .ready(value) }
                        // In a dry run, a value made from a verb that was not run says nothing.
                        let after = interpreter.notRun.withLock { $0 }
                        if after.count > before, let last = after.last {
                            return .pending(
                                "its value comes from \(last.command) (\(last.at)), which this dry run did not run")
                        }
                        return .pending("last value: \(Render.inline(value))")
                    } catch let e as HLSError where e.kind != .interrupted {
                        return .pending(e.message)
                    }
                }.value
            }),
        CommandSpec(
            ["sleep"], summary: "Pause for a duration (Ctrl-C ends it)",
            positionals: [Parameter("duration", .duration, "how long, e.g. 2s")],
            examples: [Example("sleep 10ms", "a short pause")],
            implementation: .builtin { inv in
                try inv.context.cancellation.sleep(for: inv.duration("duration")!, "sleep at \(inv.location)")
                return .null
            }),
        confirm,
    ]

    /// `confirm "question"`: the gate before a destructive step (just's `[confirm]`, ADR 0034).
    static let confirm = CommandSpec(
        ["confirm"], summary: "Ask a yes/no question on the terminal: true for y or yes",
        discussion: """
            Prints the question with [y/N] on standard error and reads the answer from the terminal: true \
            for y or yes (any case), false for anything else (Enter, n, end of input). With hlsh --yes (-y) \
            it answers yes without asking, and under --dry-run too (nothing is changed in a dry run, so the \
            plan goes on to show what would be). Without a terminal to ask (a pipe, cron, CI) it is an \
            error, so a script never goes ahead unasked: pass --yes there.
            """,
        positionals: [Parameter("question", .string, "what to ask, e.g. \"Destroy every VM?\"")],
        examples: [
            Example(
                #"try { confirm "Destroy every VM?" } catch e { echo "not asked: no terminal" }"#,
                "without a terminal (and without --yes) confirm is an error", output: "not asked: no terminal\n")
        ],
        implementation: .builtin { inv in
            let question = inv.string("question")!
            let context = inv.context
            func answered(_ answer: String, _ yes: Bool) -> Value {
                context.log.record(.confirm, [("question", .string(question)), ("answer", .string(answer))])
                return .bool(yes)
            }
            if context.options.dryRun {
                context.err("\(question) [y/N] not asked in a dry run: going on to show the plan\n")
                return answered("dry run", true)
            }
            if context.options.assumeYes {
                context.err("\(question) [y/N] yes (--yes)\n")
                return answered("yes (--yes)", true)
            }
            guard let ask = context.ask else {
                throw inv.failure(
                    "no terminal to ask \"\(question)\"",
                    hint: "run it from a terminal, or answer yes with hlsh --yes (-y)")
            }
            let answer = try ask("\(question) [y/N] ")?.trimmingWhitespace().lowercased() ?? ""
            return answered(answer, answer == "y" || answer == "yes")
        })

    static let secrets: [CommandSpec] = [
        CommandSpec(
            ["secret", "env"], summary: "A secret from an environment variable",
            positionals: [Parameter("name", .string, "the variable's name")],
            examples: [Example("secret env HOME", "read a variable as a secret; it prints as ***", output: "***\n")],
            implementation: .builtin { inv in
                let name = inv.string("name")!
                guard let v = inv.context.environment[name], !v.isEmpty else {
                    throw inv.failure(
                        "environment variable \(name) is not set", hint: "export \(name)=… before running hlsh")
                }
                return .secret(Secret(v))
            }),
        CommandSpec(
            ["secret", "file"], summary: "A secret from a file (trailing newline removed)",
            positionals: [Parameter("path", .path, "the file")],
            examples: [Example("secret file /etc/hostname", "read a file as a secret", output: "***\n")],
            implementation: .builtin { inv in
                let path = inv.string("path")!
                guard var text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw inv.unreadable(path)
                }
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                return .secret(Secret(text))
            }),
    ]
}

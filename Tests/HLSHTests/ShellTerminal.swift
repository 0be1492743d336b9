import Foundation
import TestSupport

/// hlsh's REPL in a fresh terminal (tmux) whose home and state are `state`; with `color`, one that
/// wants colour (no `NO_COLOR`); `environment` adds to (or overrides) what it gets. Returns once
/// `prompt` shows.
func hlshShell(
    in state: TemporaryDirectory, color: Bool = false, columns: Int = 120, environment extra: [String: String] = [:],
    prompt: String = "hlsh> "
) throws -> TmuxTerminal {
    var env = [
        "HOME": state.path, "XDG_STATE_HOME": state.file("state"), "TERM": "xterm-256color", "LANG": "C.UTF-8",
    ]
    // Empty is unset for hlsh; the test runner's own NO_COLOR must not reach it.
    env["NO_COLOR"] = color ? "" : "1"
    if color { env["FORCE_COLOR"] = "" }
    env.merge(extra) { $1 }
    let t = try TmuxTerminal(command: [BuiltBinary.hlsh], environment: env, directory: state.path, columns: columns)
    try t.waitFor("the prompt") { $0.contains(prompt) }
    return t
}

import Foundation
import HLSCore
import HLSLanguage
import Synchronization

/// What the test verbs did: which changes were applied, how many `probe`s ran at once.
final class Recorder: Sendable {
    private struct State {
        var applied: [String] = []
        var running = 0
        var mostAtOnce = 0
        var calls: [String: Int] = [:]
    }

    private let state = Mutex(State())

    func applied(_ what: String) { state.withLock { $0.applied.append(what) } }
    var applied: [String] { state.withLock { $0.applied } }
    var mostAtOnce: Int { state.withLock { $0.mostAtOnce } }

    /// Counts a call of `name`; returns how many there have been, this one included.
    func call(_ name: String) -> Int {
        state.withLock {
            $0.calls[name, default: 0] += 1
            return $0.calls[name]!
        }
    }

    func enter() {
        state.withLock {
            $0.running += 1
            $0.mostAtOnce = max($0.mostAtOnce, $0.running)
        }
    }

    func leave() { state.withLock { $0.running -= 1 } }
}

/// The builtins plus test-only verbs: a `vm` object with a query and two mutations (one that
/// always has a change to make, one already converged), a `probe` that measures concurrency and
/// a `flaky` verb that fails its first calls.
func testRegistry(_ recorder: Recorder) -> Registry {
    var registry = Builtins.registry
    registry.registerObject("vm", summary: "test virtual machines")
    registry.register(
        CommandSpec(
            ["vm", "show"], summary: "One VM", positionals: [Parameter("name", .name("vm"), "the VM")],
            columns: ["name", "status", "memory"],
            implementation: .query { inv in
                .record(
                    Record([
                        ("name", .string(inv.string("name")!)), ("status", .string("running")),
                        ("memory", .size(8 << 30)),
                    ]))
            }))
    registry.register(
        CommandSpec(
            ["vm", "apply"], summary: "Converge a VM's memory",
            positionals: [Parameter("name", .name("vm"), "the VM")],
            flags: [Flag("memory", .size, "the memory it should have", default: .size(8 << 30))],
            implementation: .mutation { inv in
                let name = inv.string("name")!
                let memory = Render.plain(inv.value("memory"))
                return ChangePlan([
                    Change(target: name, action: "set memory", detail: "4 GiB → \(memory)") { _ in
                        recorder.applied("\(name) memory \(memory)")
                    }
                ])
            }))
    registry.register(
        CommandSpec(
            ["vm", "converged"], summary: "A mutation with nothing left to do",
            implementation: .mutation { _ in .none }))
    registry.register(
        CommandSpec(
            ["vm", "unbuilt"], summary: "A query of what only a planned change would create",
            columns: ["name"],
            implementation: .query { _ in throw NotThereYet("the cluster is only planned") }))
    registry.register(
        CommandSpec(
            ["probe"], summary: "Counts how many run at once; sleeps a moment",
            positionals: [Parameter("value", .any, "returned as is", optional: true)],
            implementation: .builtin { inv in
                recorder.enter()
                defer { recorder.leave() }
                try inv.interpreterSleep(.milliseconds(40))
                return inv.value("value")
            }))
    registry.register(
        CommandSpec(
            ["flaky"], summary: "Fails until it has been called N times",
            positionals: [Parameter("succeedOn", .int, "the call that succeeds")],
            implementation: .builtin { inv in
                let n = recorder.call("flaky")
                guard n >= inv.int("succeedOn")! else { throw inv.failure("call \(n) failed") }
                return .int(n)
            }))
    return registry
}

extension Invocation {
    /// A plain sleep for the test verbs (the interpreter's own is internal).
    func interpreterSleep(_ duration: Duration) throws {
        try context.cancellation.check("probe")
        let ns = Int(duration.components.attoseconds / 1_000_000_000) + Int(duration.components.seconds) * 1_000_000_000
        var ts = timespec(tv_sec: ns / 1_000_000_000, tv_nsec: ns % 1_000_000_000)
        nanosleep(&ts, nil)
    }
}

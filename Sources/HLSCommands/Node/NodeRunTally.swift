import HLSCore
import HLSLanguage
import Synchronization

/// What `node run` has heard back so far. On a terminal, one transient line counts it
/// (`node run: 2 of 5 nodes done, 1 failed`) and is cleared at the end, so the table stays the
/// one report per node.
final class NodeRunTally: Sendable {
    private struct State {
        var results: [String: NodeRunResult] = [:]
        var failures = 0
        var progress: Progress?
        var finished = false
    }

    private let state = Mutex(State())
    private let nodes: Int
    private let allowFailure: Bool
    private let label: String
    private let context: ExecutionContext

    init(nodes: Int, allowFailure: Bool, inv: Invocation) {
        self.nodes = nodes
        self.allowFailure = allowFailure
        self.label = inv.spec.name
        self.context = inv.context
    }

    /// A node's run begins: the progress line appears with the first.
    func started() {
        let (label, context) = (line(done: 0, failures: 0), self.context)
        state.withLock { state in
            guard state.progress == nil, !state.finished else { return }
            state.progress = Progress(label, context: context)
        }
    }

    func record(_ result: NodeRunResult) {
        let name = Render.plain(result.row["node"] ?? .null)
        state.withLock { state in
            state.results[name] = result
            if result.failed(allowFailure: allowFailure) { state.failures += 1 }
            state.progress?.update(line(done: state.results.count, failures: state.failures))
        }
    }

    /// Clears the progress line.
    func finish() {
        let progress = state.withLock { state in
            state.finished = true
            defer { state.progress = nil }
            return state.progress
        }
        progress?.stop()
    }

    /// The results of the nodes `names`, in that order (a node interrupted before it finished
    /// has none).
    func results(in names: [String]) -> [NodeRunResult] {
        state.withLock { state in names.compactMap { state.results[$0] } }
    }

    private func line(done: Int, failures: Int) -> String {
        "\(label): \(done) of \(nodes) nodes done" + (failures > 0 ? ", \(failures) failed" : "")
    }

    deinit { finish() }
}

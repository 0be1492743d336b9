import HLSCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A one-line spinner with elapsed time on standard error, shown only when standard error is
/// a terminal: `⠹ waiting for vm k3s-cp-01 to be running (12s)`, cut to the terminal's width
/// (read again at each redraw, so a resized window is followed). Other runs get nothing.
///
/// A redraw happens under the same lock as `stop`'s clearing, so no spinner line can be written
/// after the line was cleared.
public final class Progress: Sendable {
    private struct State {
        var label: String
        var running: Bool
    }

    private let context: ExecutionContext
    private let state: Mutex<State>
    private let start = ContinuousClock.now

    public init(_ label: String, context: ExecutionContext) {
        self.context = context
        let shown = context.stderrTerminal.isTTY
        state = Mutex(State(label: label, running: shown))
        if shown { Threads.detach { [weak self] in self?.loop() } }
    }

    /// Changes what is being awaited.
    public func update(_ label: String) {
        state.withLock { $0.label = label }
    }

    public var elapsed: Duration { ContinuousClock.now - start }

    /// Clears the line. Safe to call more than once.
    public func stop() {
        state.withLock {
            if $0.running { context.err("\r\u{1B}[K") }
            $0.running = false
        }
    }

    private func loop() {
        let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
        var i = 0
        while true {
            let seconds = elapsed.wholeSeconds
            let width = Terminal.columns(of: 2) ?? context.stderrTerminal.width
            let drawn = state.withLock { (state) -> Bool in
                guard state.running else { return false }
                let line = Self.fitted(
                    "\(frames[i % frames.count]) \(state.label)",
                    then: " (\(Duration.seconds(seconds).text))", width: width)
                context.err("\r\u{1B}[K" + line)
                return true
            }
            guard drawn else { return }
            i += 1
            Threads.sleep(for: .milliseconds(100))
        }
    }

    /// `text` and `tail` (the elapsed time) in one line that leaves the last column free — a line
    /// that fills the width wraps, and the next redraw's carriage return then goes back only to
    /// its wrapped part. `text` is cut (ending in `…`) before `tail` is.
    static func fitted(_ text: String, then tail: String, width: Int?) -> String {
        guard let width, Render.displayWidth(text + tail) >= width else { return text + tail }
        let room = width - 1 - Render.displayWidth(tail)
        guard room > 1 else { return Render.prefix(text + tail, columns: max(0, width - 1)) }
        return Render.prefix(text, columns: room - 1) + "…" + tail
    }

    deinit { stop() }
}

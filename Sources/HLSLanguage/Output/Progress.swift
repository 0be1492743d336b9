import Foundation
import HLSCore

/// A one-line spinner with elapsed time on standard error, shown only when standard error is
/// a terminal: `⠹ waiting for vm k3s-cp-01 to be running (12s)`, cut to the terminal's width
/// (read again at each redraw, so a resized window is followed). Other runs get nothing.
public final class Progress: @unchecked Sendable {
    private let context: ExecutionContext
    private let lock = NSLock()
    private var label: String
    private var running = true
    private let start = ContinuousClock.now
    private var thread: Thread?

    public init(_ label: String, context: ExecutionContext) {
        self.label = label
        self.context = context
        guard context.stderrTerminal.isTTY else {
            running = false
            return
        }
        let t = Thread { [weak self] in self?.loop() }
        thread = t
        t.start()
    }

    /// Changes what is being awaited.
    public func update(_ label: String) {
        lock.lock()
        self.label = label
        lock.unlock()
    }

    public var elapsed: Duration { ContinuousClock.now - start }

    /// Clears the line. Safe to call more than once.
    public func stop() {
        lock.lock()
        let was = running
        running = false
        lock.unlock()
        if was { context.err("\r\u{1B}[K") }
    }

    private func loop() {
        let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
        var i = 0
        while true {
            lock.lock()
            let (go, text) = (running, label)
            lock.unlock()
            guard go else { return }
            let seconds = Int(Quantities.seconds(elapsed))
            let line = Self.fitted(
                "\(frames[i % frames.count]) \(text)", then: " (\(Quantities.format(.seconds(seconds))))",
                width: Terminal.columns(of: 2) ?? context.stderrTerminal.width)
            context.err("\r\u{1B}[K" + line)
            i += 1
            Thread.sleep(forTimeInterval: 0.1)
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

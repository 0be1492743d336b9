import Foundation
import HLSCore

/// A one-line spinner with elapsed time on standard error, shown only when standard error is
/// a terminal: `⠹ waiting for vm k3s-cp-01 to be running (12s)`. Other runs get nothing.
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
            context.err("\r\u{1B}[K\(frames[i % frames.count]) \(text) (\(Quantities.format(.seconds(seconds))))")
            i += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    deinit { stop() }
}

public import HLSCore

extension Poll {
    /// `until`, showing `⠹ waiting for <awaited>: <last state> (12s)` on a terminal while it waits:
    /// the one progress display of every waiting verb and of the `wait` builtin.
    ///
    /// `check` may throw any error (script code, a verb's helpers): an `HLSError` ends the wait
    /// as it is, any other error passes through unchanged (a `break` or `exit` inside a lazy value).
    public func until<Value>(showingOn context: ExecutionContext, _ check: () throws -> Check<Value>) throws
        -> Ready<Value>
    {
        let progress = Progress("waiting for \(awaited)", context: context)
        defer { progress.stop() }
        var escaped: (any Error)?
        do {
            let report = { (state: String) in progress.update("waiting for \(awaited): \(state)") }
            return try until(report: report) { () throws(HLSError) -> Check<Value> in
                do {
                    return try check()
                } catch let error as HLSError {
                    throw error
                } catch {
                    escaped = error
                    throw HLSError(.failed, "\(error)")
                }
            }
        } catch {
            throw escaped ?? error
        }
    }
}

public import HLSCore
import HLSTransport

extension PVEClient {
    /// How many log lines a failed task's error shows.
    static let taskLogTailLines = 10

    /// `GET /nodes/{node}/tasks/{upid}/status`, on the node named in the UPID.
    public func taskStatus(_ upid: UPID, cancellation: Cancellation = .never) throws(HLSError) -> PVETaskStatus {
        let path = Self.taskPath(upid) + "/status"
        let data = try get(path, cancellation: cancellation)
        let fields = PVEFields(data, at: .request(method: "GET", url: path), what: "the task status")
        let status = try fields.string("status")
        return PVETaskStatus(
            upid: upid, isRunning: status == "running", exitStatus: fields.optionalString("exitstatus"))
    }

    /// The task's log lines (`GET …/tasks/{upid}/log?start=0&limit=…`), oldest first.
    public func taskLog(_ upid: UPID, limit: Int = 1000, cancellation: Cancellation = .never) throws(HLSError)
        -> [String]
    {
        let data = try get(
            Self.taskPath(upid) + "/log", query: [("start", "0"), ("limit", String(limit))], cancellation: cancellation)
        return data.pveItems.compactMap { $0["t"]?.pveString }
    }

    /// Waits for a task to stop, polling its status 50 ms after the first look, then after twice
    /// as long each time, up to `every` (a short task is seen ending at once, a long one is not
    /// polled more often than every `every`).
    ///
    /// - Returns the result for `OK` and `WARNINGS: n` (with n).
    /// - A failed task throws `.failed` whose message is PVE's exit status verbatim
    ///   (`shrinking disks is not supported`), at `task <type> VM <id> on <node>`, with the UPID
    ///   and the last lines of the task log in the cause.
    /// - A 400 in the first seconds (the task is not visible yet) is waited out.
    /// - `timeout` passing throws `.timeout` naming the UPID (the task keeps running on PVE);
    ///   `cancellation` is observed between polls and during the sleep (`.interrupted`).
    /// - `progress` gets the time waited so far and each status polled.
    @discardableResult
    public func waitTask(
        _ upid: UPID, timeout: Duration = .seconds(600), every interval: Duration = .seconds(1),
        cancellation: Cancellation = .never, progress: ((Duration, PVETaskStatus) -> Void)? = nil
    ) throws(HLSError) -> PVETaskResult {
        let place = Place.request(method: "task", url: upid.summary)
        let path = Self.taskPath(upid) + "/status"
        /// The window in which a 400 means "not visible yet".
        let creationGrace = Duration.seconds(5)
        var poll = Poll(
            "task \(upid.summary)", timeout: timeout, every: interval, cancellation: cancellation, at: place,
            hint: "it keeps running on \(upid.node); wait for it again or look at the task log in the web UI")
        poll.timeoutMessage = "task \(upid.summary) did not finish within \(timeout.text)"
        poll.firstPause = .milliseconds(50)
        let started = ContinuousClock.now
        do {
            return try poll.until { () throws(HLSError) -> Poll.Check<PVETaskResult> in
                let elapsed = started.duration(to: .now)
                switch try call("GET", path, cancellation: cancellation) {
                case .failure(let failure) where failure.status == 400 && elapsed < creationGrace:
                    return .pending("not visible yet: \(upid.text)")
                case .failure(let failure):
                    throw failure.error()
                case .data(let data):
                    let fields = PVEFields(data, at: .request(method: "GET", url: path), what: "the task status")
                    let state = try fields.string("status")
                    let status = PVETaskStatus(
                        upid: upid, isRunning: state == "running", exitStatus: fields.optionalString("exitstatus"))
                    progress?(elapsed, status)
                    guard !status.isRunning else { return .pending("\(status.text): \(upid.text)") }
                    guard let warnings = status.successWarnings else {
                        throw taskFailure(status, place: place, cancellation: cancellation)
                    }
                    return .ready(
                        PVETaskResult(
                            upid: upid, exitStatus: status.exitStatus ?? "OK", warnings: warnings,
                            elapsed: started.duration(to: .now)))
                }
            }.value
        } catch  where error.kind == .interrupted {
            throw HLSError(
                .interrupted, "interrupted while waiting for task \(upid.summary)", at: place,
                hint: "the task keeps running on \(upid.node)", cause: upid.text)
        }
    }

    /// Waits for the task named by a UPID string.
    @discardableResult
    public func waitTask(
        _ upid: String, timeout: Duration = .seconds(600), every interval: Duration = .seconds(1),
        cancellation: Cancellation = .never, progress: ((Duration, PVETaskStatus) -> Void)? = nil
    ) throws(HLSError) -> PVETaskResult {
        try waitTask(
            UPID(parsing: upid), timeout: timeout, every: interval, cancellation: cancellation, progress: progress)
    }

    /// The error for a task that stopped with a failure: the exit status verbatim, the UPID
    /// and the tail of its log.
    private func taskFailure(_ status: PVETaskStatus, place: Place, cancellation: Cancellation) -> HLSError {
        let exit = status.exitStatus?.trimmingWhitespace() ?? ""
        var cause = status.upid.text
        do throws(HLSError) {
            let lines = try taskLog(status.upid, cancellation: cancellation)
            if !lines.isEmpty {
                let tail = lines.suffix(Self.taskLogTailLines)
                cause +=
                    "\n  task log (last \(tail.count) of \(lines.count) lines):\n    "
                    + tail.joined(separator: "\n    ")
            }
        } catch {
            // The task's failure is what matters; say why its log is missing rather than hide it.
            cause += "\n  task log unavailable: \(error.message)" + (error.cause.map { " (\($0))" } ?? "")
        }
        return HLSError(.failed, exit.isEmpty ? "task failed" : exit, at: place, cause: cause)
    }

    static func taskPath(_ upid: UPID) -> String {
        "/nodes/\(PVEFormEncoding.encodePathSegment(upid.node))/tasks/\(PVEFormEncoding.encodePathSegment(upid.text))"
    }
}

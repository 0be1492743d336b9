/// A PVE task (a forked worker): its UPID, its log, and when and how it ends. The simulator
/// runs no workers; a task's `work` is applied to the model when its time is up (see
/// `PVEState.advance(to:)`), which is when the real worker would have done it.
struct PVETask: Sendable {
    let upid: String
    let node: String
    let pid: Int
    let pstart: Int
    let starttime: Int
    let type: String
    let id: String
    let user: String
    var log: [String]
    var endsAt: Double
    /// nil while running; then `OK`, `WARNINGS: n` or the error text.
    var exitstatus: String?
    var work: (@Sendable (inout PVEState, Double) -> PVETaskOutcome)?

    var isRunning: Bool { exitstatus == nil }
}

/// What a finished worker leaves: more log lines, and an error or a count of warnings.
struct PVETaskOutcome: Sendable {
    var log: [String] = []
    var error: String? = nil
    var warnings: Int = 0

    static func failed(_ message: String, log: [String] = []) -> PVETaskOutcome {
        PVETaskOutcome(log: log, error: message.hasSuffix("\n") ? String(message.dropLast()) : message)
    }
}

/// `PVE::UPID`: `UPID:node:PID:PSTART:STARTTIME:type:id:user:` with 8-digit uppercase hex.
enum UPID {
    static func encode(node: String, pid: Int, pstart: Int, starttime: Int, type: String, id: String, user: String)
        -> String
    {
        "UPID:\(node):\(hex8(pid)):\(hex8(pstart)):\(hex8(starttime)):\(type):\(id):\(user):"
    }

    struct Parts: Equatable {
        var node: String
        var pid: Int
        var pstart: Int
        var starttime: Int
        var type: String
        var id: String
        var user: String
    }

    /// The same pattern PVE decodes with (pstart may have 9 digits; id may be empty).
    static func decode(_ upid: String) -> Parts? {
        let pattern =
            #"UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):"#
        guard PVESchema.matches(pattern, upid) else { return nil }
        let f = upid.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 9, let pid = Int(f[2], radix: 16), let pstart = Int(f[3], radix: 16),
            let start = Int(f[4], radix: 16)
        else { return nil }
        return Parts(node: f[1], pid: pid, pstart: pstart, starttime: start, type: f[5], id: f[6], user: f[7])
    }

    static func hex8(_ v: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count >= 8 ? s : String(repeating: "0", count: 8 - s.count) + s
    }
}

extension PVEState {
    /// Starts a worker on `node` and returns its UPID. `log` is what it prints at once.
    mutating func startTask(
        node: String, type: String, id: String, user: String, now: Double, duration: Double, log: [String] = [],
        work: @escaping @Sendable (inout PVEState, Double) -> PVETaskOutcome
    ) -> String {
        nextPid += Int.random(in: 1...97)
        let nodeUptime = nodes.first { $0.config.name == node }.map { now - $0.bootTime } ?? 1000
        let pstart = Int(nodeUptime * 100)  // clock ticks since the node booted, as /proc/PID/stat says
        let upid = UPID.encode(
            node: node, pid: nextPid, pstart: pstart, starttime: Int(now), type: type, id: id, user: user)
        tasks[upid] = PVETask(
            upid: upid, node: node, pid: nextPid, pstart: pstart, starttime: Int(now), type: type, id: id, user: user,
            log: log, endsAt: now + max(0, duration), exitstatus: nil, work: work)
        taskOrder.append(upid)
        return upid
    }

    /// Finishes every task whose time has come, oldest deadline first, applying its work.
    mutating func advance(to now: Double) {
        var runningBefore: Set<Int>?
        defer {
            if let runningBefore, !runningBefore.isSubset(of: vms.values.lazy.filter(\.running).map(\.vmid)) {
                guestsWentDown = true
            }
        }
        while let upid = tasks.values.filter({ $0.isRunning && $0.endsAt <= now }).min(by: { $0.endsAt < $1.endsAt })?
            .upid
        {
            guard var task = tasks[upid] else { break }
            if runningBefore == nil { runningBefore = Set(vms.values.lazy.filter(\.running).map(\.vmid)) }
            let work = task.work
            task.work = nil
            tasks[upid] = task
            let outcome = work?(&self, task.endsAt) ?? PVETaskOutcome()
            task.log += outcome.log
            if let error = outcome.error {
                task.log.append("TASK ERROR: \(error)")
                task.exitstatus = error
            } else if outcome.warnings > 0 {
                task.log.append("TASK WARNINGS: \(outcome.warnings)")
                task.exitstatus = "WARNINGS: \(outcome.warnings)"
            } else {
                task.log.append("TASK OK")
                task.exitstatus = "OK"
            }
            tasks[upid] = task
        }
    }
}

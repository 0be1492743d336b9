import HLSCore

/// Task status, log and list (pve-manager `PVE::API2::Tasks`).
extension PVEHandlers {
    static func taskStatus(_ call: PVECall) throws(PVEError) -> PVEResult {
        let (task, parts) = try findTask(call)
        var pairs: [(String, Document?)] = [
            ("upid", .string(task.upid)), ("node", .string(parts.node)), ("pid", .int(parts.pid)),
            ("pstart", .int(parts.pstart)), ("starttime", .int(parts.starttime)), ("type", .string(parts.type)),
            ("id", .string(parts.id)),
        ]
        pairs += ownerFields(parts.user)
        pairs.append(("status", .string(task.isRunning ? "running" : "stopped")))
        if let exit = task.exitstatus { pairs.append(("exitstatus", .string(exit))) }
        return PVEResult(obj(pairs))
    }

    static func taskLog(_ call: PVECall) throws(PVEError) -> PVEResult {
        let (task, _) = try findTask(call)
        if call.bool("download") == true, call.string("start") != nil || call.string("limit") != nil {
            throw PVEError.failed("'download' cannot be used together with 'start' or 'limit' parameters")
        }
        let start = call.int("start") ?? 0
        let limit = call.int("limit") ?? 50
        var lines: [Document] = []
        for (i, text) in task.log.enumerated() where i >= start && (limit == 0 || lines.count < limit) {
            lines.append(obj([("n", .int(i + 1)), ("t", .string(text))]))
        }
        var count = task.log.count
        if count == 0 {
            count = 1
            lines = [obj([("n", .int(1)), ("t", .string("no content"))])]
        }
        return PVEResult(.array(lines), total: count)
    }

    static func taskList(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            _ = try requireNode(s, call.node)
            let canAudit = call.api.auth.has(call.authid, "/nodes/\(call.node)", "Sys.Audit")
            let source = call.string("source") ?? "archive"
            var tasks = s.taskOrder.compactMap { s.tasks[$0] }.filter { $0.node == call.node }.reversed()
                .filter { canAudit || ownsTask(call.authid, $0.user) }
                .filter { call.int("vmid") == nil || $0.id == String(call.int("vmid")!) }
                .filter { call.string("typefilter") == nil || $0.type == call.string("typefilter") }
                .filter { call.string("userfilter") == nil || $0.user.contains(call.string("userfilter")!) }
                .filter { call.bool("errors") != true || ($0.exitstatus != nil && $0.exitstatus != "OK") }
            switch source {
            case "active": tasks = tasks.filter(\.isRunning)
            case "archive": tasks = tasks.filter { !$0.isRunning }
            default: break
            }
            let start = call.int("start") ?? 0
            let limit = call.int("limit") ?? 50
            let page = tasks.dropFirst(start).prefix(limit == 0 ? Int.max : limit)
            let list = page.map { t -> Document in
                var pairs: [(String, Document?)] = [
                    ("upid", .string(t.upid)), ("node", .string(t.node)), ("pid", .int(t.pid)),
                    ("pstart", .int(t.pstart)),
                    ("starttime", .int(t.starttime)), ("type", .string(t.type)), ("id", .string(t.id)),
                ]
                pairs += ownerFields(t.user)
                if let exit = t.exitstatus {
                    pairs += [("endtime", .int(Int(t.endsAt))), ("status", .string(exit))]
                }
                return obj(pairs)
            }
            return PVEResult(.array(Array(list)), total: tasks.count)
        }
    }

    /// Decodes the UPID, finds the task, and applies PVE's owner rule: a token sees its own
    /// tasks, a user its own and its tokens'; anyone else needs Sys.Audit on the node.
    private static func findTask(_ call: PVECall) throws(PVEError) -> (PVETask, UPID.Parts) {
        let upid = call.string("upid") ?? ""
        guard let parts = UPID.decode(upid) else { throw PVEError.parameter("upid", "unable to parse worker upid") }
        return try call.withState { (s: inout PVEState) throws(PVEError) -> (PVETask, UPID.Parts) in
            _ = try requireNode(s, call.node)
            guard let task = s.tasks[upid], task.node == call.node else {
                throw PVEError.parameter("upid", "no such task")
            }
            if !ownsTask(call.authid, parts.user) {
                try call.check("/nodes/\(call.node)", ["Sys.Audit"])
            }
            return (task, parts)
        }
    }

    static func ownsTask(_ authid: String, _ taskUser: String) -> Bool {
        if taskUser.contains("!") {
            return authid == taskUser || authid == String(taskUser.split(separator: "!")[0])
        }
        return authid == taskUser
    }

    /// `user`, plus `tokenid` when a token started the task.
    private static func ownerFields(_ user: String) -> [(String, Document?)] {
        let parts = user.split(separator: "!", maxSplits: 1).map(String.init)
        if parts.count == 2 { return [("user", .string(parts[0])), ("tokenid", .string(parts[1]))] }
        return [("user", .string(user))]
    }
}

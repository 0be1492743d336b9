public import HLSCore

/// A Proxmox VE task id:
/// `UPID:<node>:<pid hex8>:<pstart hex8>:<starttime hex8>:<type>:<id>:<user>:`,
/// e.g. `UPID:pve1:000A1B2C:0042D3E4:66B0C0DE:qmclone:9000:root@pam!hlsh:`. The user may be a
/// token (`root@pam!hlsh`), the id may be empty (node-wide tasks). Its node is where the task's
/// status and log live.
public struct UPID: Sendable, Hashable, CustomStringConvertible {
    /// The text exactly as PVE gave it.
    public let text: String
    public let node: String
    public let pid: Int
    /// The process start time (in clock ticks since boot): with `pid`, it identifies the worker.
    public let pstart: Int
    /// When the task started, seconds since the epoch.
    public let startTime: Int
    /// `qmclone`, `qmconfig`, `resize`, `qmstart`, `qmstop`, `qmshutdown`, `qmreboot`, `qmdestroy`…
    public let type: String
    /// Usually the VMID; may be empty.
    public let id: String
    /// Who started it: `root@pam` or a token `root@pam!hlsh`.
    public let user: String

    /// Parses a UPID; `.failed` error naming the text when it is not one.
    public init(parsing text: String) throws(HLSError) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        func bad(_ why: String) -> HLSError {
            HLSError(.failed, "'\(trimmed)' is not a Proxmox VE task id (UPID): \(why)")
        }
        guard parts.count == 9, parts[0] == "UPID", parts[8].isEmpty else {
            throw bad("expected UPID:node:pid:pstart:starttime:type:id:user:")
        }
        func hex(_ part: Substring, _ name: String, digits: ClosedRange<Int>) throws(HLSError) -> Int {
            guard digits.contains(part.count), part.allSatisfy(\.isHexDigit), let value = Int(part, radix: 16) else {
                throw bad("\(name) must be \(digits.lowerBound) hex digits")
            }
            return value
        }
        let node = String(parts[1])
        guard !node.isEmpty, node.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw bad("the node name is missing or invalid")
        }
        let pid = try hex(parts[2], "pid", digits: 8...8)
        let pstart = try hex(parts[3], "pstart", digits: 8...9)
        let start = try hex(parts[4], "starttime", digits: 8...8)
        let type = String(parts[5])
        let id = String(parts[6])
        let user = String(parts[7])
        guard !type.isEmpty, !type.contains(where: \.isWhitespace) else { throw bad("the task type is missing") }
        guard !id.contains(where: \.isWhitespace) else { throw bad("the id has spaces") }
        guard !user.isEmpty, !user.contains(where: \.isWhitespace) else { throw bad("the user is missing") }
        self.text = trimmed
        self.node = node
        self.pid = pid
        self.pstart = pstart
        self.startTime = start
        self.type = type
        self.id = id
        self.user = user
    }

    /// The VMID the task works on, when its id is one.
    public var vmid: Int? { Int(id) }

    /// `qmclone VM 9000 on pve1` — what the task is about, for messages.
    public var summary: String {
        var text = type
        if !id.isEmpty { text += vmid != nil ? " VM \(id)" : " \(id)" }
        return text + " on \(node)"
    }

    public var description: String { text }
}

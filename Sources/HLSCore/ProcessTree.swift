#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finding and killing every process a daemon started — sshd's per-connection children start
/// sessions of their own, so a process-group kill misses them, and a command can outlive its
/// connection. Members are found through `/proc`: the descendants of a root pid, and every
/// process whose environment carries a marker entry (which sshd's `SetEnv` gives each session).
public enum ProcessTree {
    /// SIGKILLs every process below `root` and every process whose environment holds `marker`
    /// (`NAME=VALUE`), with their descendants, none escaping: a process killed while it forks
    /// would orphan the new child. So the set is frozen first — each member gets SIGSTOP, and
    /// the scan repeats until all are stopped and no new one appears — and only then killed.
    /// `root` itself is stopped meanwhile but left running.
    public static func kill(below root: Int32?, marker: String) {
        if let root { Glibc.kill(root, SIGSTOP) }
        defer { if let root { Glibc.kill(root, SIGCONT) } }
        var frozen: Set<Int32> = root.map { [$0] } ?? []
        for _ in 0..<100 {
            waitUntilStopped(frozen)
            let fresh = members(below: root, marker: marker).subtracting(frozen)
            if fresh.isEmpty { break }
            for pid in fresh { Glibc.kill(pid, SIGSTOP) }
            frozen.formUnion(fresh)
        }
        if let root { frozen.remove(root) }
        for pid in frozen { Glibc.kill(pid, SIGKILL) }
    }

    /// The processes below `root` and those whose environment holds `marker`, with all their
    /// descendants. `root` itself is not included.
    public static func members(below root: Int32?, marker: String) -> Set<Int32> {
        var parentOf: [Int32: Int32] = [:]
        var marked: Set<Int32> = []
        let needle = Array(marker.utf8) + [0]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm)": state, then ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parentOf[pid] = parent }
            if let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
                containsEntry([UInt8](environment), needle)
            {
                marked.insert(pid)
            }
        }
        var result = marked
        var frontier = marked.union(root.map { [$0] } ?? [])
        while !frontier.isEmpty {
            let next = Set(parentOf.filter { frontier.contains($0.value) }.map(\.key)).subtracting(result)
            result.formUnion(next)
            frontier = next
        }
        if let root { result.remove(root) }
        return result
    }

    /// Waits (up to a second) until each of `pids` is stopped, a zombie or gone.
    private static func waitUntilStopped(_ pids: Set<Int32>) {
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline {
            let running = pids.filter { pid in
                guard let state = state(of: pid) else { return false }
                return !["T", "t", "Z", "X"].contains(state)
            }
            if running.isEmpty { return }
            usleep(2_000)
        }
    }

    /// The state letter from /proc/PID/stat (`R`, `S`, `T`, `Z`…), nil when the process is gone.
    private static func state(of pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].first { $0 != " " }
    }

    /// Whether the NUL-separated `environment` has `needle` (an entry plus its NUL) as an entry.
    private static func containsEntry(_ environment: [UInt8], _ needle: [UInt8]) -> Bool {
        var start = 0
        while start < environment.count {
            let end = environment[start...].firstIndex(of: 0).map { $0 + 1 } ?? environment.count
            if environment[start..<end].elementsEqual(needle) { return true }
            start = end
        }
        return false
    }
}

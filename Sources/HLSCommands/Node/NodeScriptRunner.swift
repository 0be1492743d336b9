import HLSCore
import HLSLanguage
import HLSTransport
import Remote

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs a shipped node script on a node: one exec of `NodeScript.remoteCommand` with the script (and any
/// secret) on stdin, its report parsed. Never logs the payload.
struct NodeScriptRunner: Sendable {
    let connections: NodeConnections
    var timeout: Duration = .seconds(900)

    struct Run: Sendable {
        var report: NodeReport
        var exitStatus: Int32
        var stderr: String
    }

    func run(
        _ script: NodeScript, on target: NodeTarget, cancellation: Cancellation, acceptNew: Bool = false
    ) throws(HLSError) -> Run {
        let result = try connections.exec(
            target, NodeScript.remoteCommand, stdin: Array(script.payload.utf8), timeout: timeout,
            cancellation: cancellation, acceptNew: acceptNew)
        let run = Run(
            report: NodeReport(parsing: result.stdoutText), exitStatus: result.exitStatus ?? 255,
            stderr: result.stderrText)
        if run.exitStatus == 1 && run.report.controls.isEmpty && run.stderr.contains("sudo") {
            throw HLSError(
                .failed, "\(script.kind.rawValue) needs root on \(target.name), and sudo refused",
                at: .host(target.name), hint: "the login user needs passwordless sudo (cloud-init gives it to ciuser)",
                cause: Self.lastLines(run.stderr))
        }
        do throws(HLSError) {
            try run.report.check(exitStatus: run.exitStatus, node: target.name, script: script.kind)
        } catch {
            var e = error
            if e.cause == nil || e.cause?.isEmpty == true { e.cause = Self.lastLines(run.stderr) }
            throw e
        }
        return run
    }

    static func lastLines(_ text: String) -> String? {
        let lines = text.split(separator: "\n").suffix(5)
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}

extension NodeReport {
    /// One row per control: node, control, status, detail. A check's (`checkMode`) planned
    /// change says `would change`: nothing was changed.
    func rows(node: String, checkMode: Bool = false) -> [Value] {
        controls.map { c in
            let status = checkMode && c.status == .changed ? "would change" : c.status.rawValue
            return .record(
                Record([
                    ("node", .string(node)), ("control", .string(c.control)), ("status", .string(status)),
                    ("detail", .string(c.detail)),
                ]))
        }
    }
}

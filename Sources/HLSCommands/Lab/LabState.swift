import HLSCore
public import HLSLanguage
public import Inventory
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The session's lab: the inventory in use, installed in the execution context by `lab use`
/// (or found at start-up from `$HLSH_LAB` or `./homelab.yaml`).
public final class LabState: Sendable {
    private let current = Mutex<Lab?>(nil)

    public init() {}

    public var lab: Lab? { current.withLock { $0 } }

    public func use(_ lab: Lab) { current.withLock { $0 = lab } }

    /// Puts `lab` in use in `context`, and names it as the run's target (its inventory and the
    /// Proxmox endpoint in effect) for the runbook journal.
    static func use(_ lab: Lab, in context: ExecutionContext) {
        of(context).use(lab)
        let endpoint = context.environment["PROXMOX_VE_ENDPOINT"] ?? lab.proxmox.endpoint ?? ""
        // One name per file however it was reached (`homelab.yaml`, `phases/../homelab.yaml`).
        let file = FilePaths.normalized(
            lab.file.hasPrefix("/") ? lab.file : FileManager.default.currentDirectoryPath + "/" + lab.file)
        context.setTarget("\(file) at \(endpoint)")
    }

    /// The state in `context`, installed on first use.
    static func of(_ context: ExecutionContext) -> LabState {
        context.service(LabState.self) { LabState() }
    }

    /// Loads `$HLSH_LAB` or `./homelab.yaml` when it exists and no lab is in use yet.
    static func loadDefault(_ context: ExecutionContext) throws -> Lab? {
        let state = of(context)
        if let lab = state.lab { return lab }
        for path in [context.environment["HLSH_LAB"], "homelab.yaml"].compactMap({ $0 })
        where FileManager.default.fileExists(atPath: path) {
            let lab = try Lab.load(path: path)
            use(lab, in: context)
            return lab
        }
        return nil
    }

    /// The interactive shell's start: the default lab in use at once, so the prompt names it
    /// from the first line rather than after the first command that loads it. An inventory that
    /// does not load is left for that command to report, at its place.
    public static func preload(_ context: ExecutionContext) {
        _ = try? loadDefault(context)
    }

    /// The lab, loading the default inventory if none is in use; a clear error otherwise.
    static func require(_ inv: Invocation) throws -> Lab {
        if let lab = try of(inv.context).lab ?? loadDefault(inv.context) { return lab }
        throw inv.failure(
            "no lab in use", hint: "run 'lab use homelab.yaml' (scripts/homelab.yaml is an example), or set HLSH_LAB")
    }
}

import HLSCore
import HLSLanguage
import Inventory
import Proxmox
import Synchronization

/// The session's Proxmox VE client, made on first use from the environment (bpg's
/// `PROXMOX_VE_*` names) and the inventory's `proxmox:` settings, then reused by every verb.
final class ProxmoxService: Sendable {
    private let made = Mutex<PVEClient?>(nil)

    static func client(_ inv: Invocation) throws -> PVEClient { try client(inv.context) }

    static func client(_ context: ExecutionContext) throws -> PVEClient {
        let service: ProxmoxService
        if let existing = context.service(ProxmoxService.self) {
            service = existing
        } else {
            service = ProxmoxService()
            context.install(service)
        }
        if let client = service.made.withLock({ $0 }) { return client }
        let lab = try LabState.of(context).lab ?? LabState.loadDefault(context)
        let settings = try PVEConnectionSettings.fromEnvironment(context.environment, lab: lab?.proxmox)
        for warning in settings.warnings { context.err("warning: \(warning)\n") }
        let client = PVEClient(settings: settings)
        service.made.withLock { $0 = client }
        return client
    }
}

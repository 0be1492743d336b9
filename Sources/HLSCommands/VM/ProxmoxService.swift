import HLSCore
import HLSLanguage
import Inventory
import Proxmox

/// The session's Proxmox VE client, made on first use from the environment (bpg's
/// `PROXMOX_VE_*` names) and the inventory's `proxmox:` settings, then reused by every verb.
final class ProxmoxService: Sendable {
    let client: PVEClient

    private init(client: PVEClient) { self.client = client }

    static func client(_ inv: Invocation) throws -> PVEClient { try client(inv.context) }

    static func client(_ context: ExecutionContext) throws -> PVEClient {
        try context.service(ProxmoxService.self) { () throws -> ProxmoxService in
            let lab = try LabState.of(context).lab ?? LabState.loadDefault(context)
            let settings = try PVEConnectionSettings.fromEnvironment(context.environment, lab: lab?.proxmox)
            for warning in settings.warnings { context.err("warning: \(warning)\n") }
            return ProxmoxService(client: PVEClient(settings: settings))
        }.client
    }
}

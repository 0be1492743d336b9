/// The Proxmox VE API client: what hlsh uses instead of OpenTofu and the bpg provider.
///
/// - `PVEConnectionSettings` says where PVE is, how to log in (API token or ticket) and how to
///   trust its certificate; `fromEnvironment` reads bpg's variables and the inventory.
/// - `PVEClient` sends the requests (`get`, `post`, `put`, `delete`) and offers typed calls:
///   nodes, VM resources, clone, config, resize, power, destroy, guest agent, cloud-init, and
///   `waitTask` for the UPIDs most of them return.
///
/// Every request and answer follows `shared/reference/pve-api.md`: GET and DELETE parameters go
/// only in the query string, POST and PUT bodies are form-urlencoded, numbers may come back as
/// strings, and every unsuccessful status becomes one `HLSError` (see `PVEErrorMapping`).
public enum Proxmox {
    /// The port pveproxy listens on.
    public static let defaultPort = 8006
    /// The API root below the host.
    public static let apiRoot = "/api2/json"
}

/// `GET /nodes/{node}/qemu/{vmid}/status/current`.
public struct PVEVMStatus: Sendable, Hashable {
    public let vmid: Int
    /// `running` or `stopped`.
    public let status: String
    /// QEMU's own state (`running`, `paused`, `prelaunch`…), when PVE reports it.
    public let qmpStatus: String?
    /// `clone`, `migrate`, … while a lock is held.
    public let lock: String?
    public let name: String?
    public let cpus: Int?
    /// Bytes.
    public let maxMemory: Int?
    /// Bytes.
    public let maxDisk: Int?
    /// Seconds.
    public let uptime: Int?
    /// Whether the guest agent is enabled in the config.
    public let agent: Bool
    public let tags: [String]
    public let isTemplate: Bool

    public var isRunning: Bool { status == "running" }
}

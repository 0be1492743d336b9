/// A QEMU VM (or template) as `GET /cluster/resources?type=vm` lists it.
public struct PVEVMResource: Sendable, Hashable {
    public let vmid: Int
    public let name: String
    public let node: String
    /// `running`, `stopped`, …
    public let status: String
    public let isTemplate: Bool
    public let maxCPU: Int?
    /// Bytes.
    public let maxMemory: Int?
    /// Bytes.
    public let maxDisk: Int?
    public let memory: Int?
    public let cpu: Double?
    public let uptime: Int?
    /// `tags` split at `;` (and `,` or spaces, which older PVE also wrote).
    public let tags: [String]
    /// `clone`, `backup`, … while a lock is held.
    public let lock: String?
    public let pool: String?
}

/// A VM found by name or VMID: where it is and what it is.
public struct PVEVMRef: Sendable, Hashable, CustomStringConvertible {
    public let node: String
    public let vmid: Int
    public let name: String
    public let status: String
    public let isTemplate: Bool

    public var description: String { "\(name) (VM \(vmid) on \(node))" }
}

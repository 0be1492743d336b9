/// A cluster node from `GET /nodes`.
public struct PVENode: Sendable, Hashable {
    public let name: String
    /// `online`, `offline` or `unknown`.
    public let status: String
    /// Load, 0…1 of all cores.
    public let cpu: Double?
    public let maxCPU: Int?
    /// Bytes.
    public let memory: Int?
    public let maxMemory: Int?
    /// Seconds.
    public let uptime: Int?
    /// SHA-256 of the node's certificate, `AA:BB:…`.
    public let sslFingerprint: String?

    public var isOnline: Bool { status == "online" }
}

public import HLSCore
import HLSFormats
import HLSTransport

extension PVEClient {
    /// The VM's current configuration (`GET /nodes/{node}/qemu/{vmid}/config`).
    public func config(node: String, vmid: Int, cancellation: Cancellation = .never) throws(HLSError) -> PVEVMConfig {
        let path = Self.vmPath(node: node, vmid: vmid) + "/config"
        let data = try get(path, cancellation: cancellation)
        guard case .object(let members) = data else {
            throw HLSError(
                .failed, "unexpected answer from Proxmox VE: the config is not an object",
                at: .request(method: "GET", url: path), cause: JSONCodec.encode(data))
        }
        var entries: [PVEVMConfig.Entry] = []
        var digest: String?
        for (key, value) in members {
            let text = value.pveString ?? JSONCodec.encode(value)
            if key == "digest" { digest = text } else { entries.append(.init(key: key, value: text)) }
        }
        return PVEVMConfig(entries: entries, digest: digest)
    }

    /// Changes the VM's configuration: `set` keys to values, `delete` keys, in one request.
    ///
    /// - `async` false: `PUT …/config`, applied when it returns (nil).
    /// - `async` true: `POST …/config`, a `qmconfig` task whose UPID is returned — recommended
    ///   when allocating a disk (`scsi1=local-lvm:100,iothread=1,discard=on`), which can outlast
    ///   a synchronous request.
    /// - `digest` (from `config`) makes PVE refuse the write if the config changed meanwhile.
    /// - An `sshkeys` value given as plain keys is encoded the way PVE wants it (see
    ///   `PVESSHKeys`); one already encoded is sent as it is.
    @discardableResult
    public func updateConfig(
        node: String, vmid: Int, set: [(String, String)] = [], delete: [String] = [], digest: String? = nil,
        async: Bool = false, cancellation: Cancellation = .never
    ) throws(HLSError) -> UPID? {
        let path = Self.vmPath(node: node, vmid: vmid) + "/config"
        guard !set.isEmpty || !delete.isEmpty else { return nil }
        var form: [(String, String)] = set.map { key, value in
            (key == "sshkeys" && !PVESSHKeys.isEncoded(value)) ? (key, PVESSHKeys.encode([value])) : (key, value)
        }
        if !delete.isEmpty { form.append(("delete", delete.joined(separator: ","))) }
        if let digest { form.append(("digest", digest)) }
        if async {
            let data = try post(path, form: form, cancellation: cancellation)
            // PVE answers null when there was nothing to do in a task.
            if case .null = data { return nil }
            return try Self.upid(from: data, method: "POST", path: path)
        }
        _ = try put(path, form: form, cancellation: cancellation)
        return nil
    }

    /// The generated cloud-init of a VM (`GET …/cloudinit/dump?type=…`), as YAML text.
    public func cloudInitDump(
        node: String, vmid: Int, type: PVECloudInitSection, cancellation: Cancellation = .never
    ) throws(HLSError) -> String {
        let path = Self.vmPath(node: node, vmid: vmid) + "/cloudinit/dump"
        let data = try get(path, query: [("type", type.rawValue)], cancellation: cancellation)
        return data.pveString ?? ""
    }
}

/// Which part of the generated cloud-init to show.
public enum PVECloudInitSection: String, Sendable, CaseIterable {
    case user, network, meta
}

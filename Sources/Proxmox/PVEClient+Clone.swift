public import HLSCore
import HLSFormats
import HLSTransport

/// A clone that PVE accepted: the new VM's id and the `qmclone` task to wait for (the new VM
/// stays `lock: clone` until it ends).
public struct PVECloneStarted: Sendable, Hashable {
    public let vmid: Int
    public let upid: UPID
}

extension PVEClient {
    /// How often `clone` takes a new id when the one from `nextid` was taken meanwhile.
    static let cloneIDAttempts = 5

    /// Clones `template` on `node` into a new VM (`POST /nodes/{node}/qemu/{template}/clone`).
    ///
    /// - `newID` nil: takes `GET /cluster/nextid`, and when another client took that id first
    ///   ("already exists"), takes a new one, up to a few times. A given `newID` is never changed.
    /// - `full` (default): a full copy; `storage` is where its disks go (full clones only).
    ///   Templates default to linked clones in PVE, so `full=1` is always sent explicitly.
    /// - `target`: another node (shared storage only). `pool`, `description` as in PVE.
    /// - `name` must be a DNS name (no underscores).
    public func clone(
        node: String, template: Int, newID: Int? = nil, name: String, full: Bool = true, storage: String? = nil,
        target: String? = nil, pool: String? = nil, description: String? = nil,
        cancellation: Cancellation = .never
    ) throws(HLSError) -> PVECloneStarted {
        let path = Self.vmPath(node: node, vmid: template) + "/clone"
        guard Self.isDNSName(name) else {
            throw HLSError(
                .usage, "'\(name)' cannot be a VM name: Proxmox VE wants a DNS name",
                at: .request(method: "POST", url: path),
                hint: "use letters, digits, '-' and '.', no underscores (e.g. \(name.replacing("_", with: "-")))")
        }
        if storage != nil && !full {
            throw HLSError(
                .usage, "a storage can only be chosen for a full clone", at: .request(method: "POST", url: path))
        }
        var attempt = 1
        while true {
            let vmid: Int
            if let newID { vmid = newID } else { vmid = try nextID(cancellation: cancellation) }
            var form: [(String, String)] = [("newid", String(vmid)), ("name", name), ("full", full ? "1" : "0")]
            if let storage { form.append(("storage", storage)) }
            if let target { form.append(("target", target)) }
            if let pool { form.append(("pool", pool)) }
            if let description { form.append(("description", description)) }
            switch try call("POST", path, form: form, cancellation: cancellation) {
            case .data(let data):
                return PVECloneStarted(vmid: vmid, upid: try Self.upid(from: data, method: "POST", path: path))
            case .failure(let failure)
            where newID == nil && attempt < Self.cloneIDAttempts && failure.searchableText.contains("already exists"):
                attempt += 1
            case .failure(let failure):
                throw failure.error()
            }
        }
    }

    /// The UPID a task-starting call answered with.
    static func upid(from data: Document, method: String, path: String) throws(HLSError) -> UPID {
        guard case .string(let text) = data else {
            throw HLSError(
                .failed, "unexpected answer from Proxmox VE: expected a task id (UPID)",
                at: .request(method: method, url: path), cause: JSONCodec.encode(data))
        }
        do {
            return try UPID(parsing: text)
        } catch {
            throw error.located(.request(method: method, url: path))
        }
    }

    /// A DNS name as PVE's `dns-name` format wants it: labels of letters, digits and inner `-`.
    static func isDNSName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

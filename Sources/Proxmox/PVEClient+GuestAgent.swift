public import HLSCore

extension PVEClient {
    /// The guest's network interfaces from the QEMU guest agent
    /// (`GET …/agent/network-get-interfaces`), `lo` and link-local addresses left out.
    ///
    /// PVE answers 500 while the agent cannot answer ("QEMU guest agent is not running",
    /// "got timeout", "No QEMU guest agent configured", the VM not running): those come back as
    /// `.notReady`, for the caller to retry or give up on. Ubuntu cloud images do not ship the
    /// agent, so with a known static IP a TCP probe of port 22 is the better readiness check.
    public func agentInterfaces(
        node: String, vmid: Int, cancellation: Cancellation = .never
    ) throws(HLSError) -> PVEGuestAgentAnswer {
        let path = Self.vmPath(node: node, vmid: vmid) + "/agent/network-get-interfaces"
        let data: Document
        switch try call("GET", path, cancellation: cancellation) {
        case .data(let document): data = document
        case .failure(let failure) where failure.status == 500 && Self.isAgentNotReady(failure.searchableText):
            return .notReady(failure.text)
        case .failure(let failure): throw failure.error()
        }
        let list = data["result"] ?? data
        var interfaces: [PVEGuestInterface] = []
        for item in list.pveItems {
            guard let name = item["name"]?.pveString, name != "lo" else { continue }
            var addresses: [PVEGuestAddress] = []
            for entry in item["ip-addresses"]?.pveItems ?? [] {
                guard let address = entry["ip-address"]?.pveString else { continue }
                let type = entry["ip-address-type"]?.pveString ?? (address.contains(":") ? "ipv6" : "ipv4")
                let candidate = PVEGuestAddress(address: address, type: type, prefix: entry["prefix"]?.pveInt)
                if !candidate.isLoopbackOrLinkLocal { addresses.append(candidate) }
            }
            interfaces.append(
                PVEGuestInterface(
                    name: name, hardwareAddress: item["hardware-address"]?.pveString, addresses: addresses))
        }
        return .ready(interfaces)
    }

    static func isAgentNotReady(_ text: String) -> Bool {
        [
            "guest agent is not running", "got timeout", "no qemu guest agent configured", "not running",
            "guest-ping", "agent not available",
        ].contains { text.contains($0) }
    }
}

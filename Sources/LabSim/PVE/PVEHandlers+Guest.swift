import HLSCore

/// What the guest shows: the QEMU guest agent's interfaces and the generated cloud-init.
extension PVEHandlers {
    /// `agent/network-get-interfaces`. The agent answers once the VM has run for `bootDelay`
    /// seconds with `agent: 1`; before that PVE's "not running" errors (500).
    static func agentInterfaces(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            let vm = try requireVM(s, call.vmid, on: call.node)
            if vm.config["agent"] == nil { throw PVEError.failed("No QEMU guest agent configured") }
            if !vm.running { throw PVEError.failed("VM \(vm.vmid) is not running") }
            let booted = vm.startedAt.map { call.now - $0 >= call.api.config.timings.bootDelay } ?? false
            guard vm.agentEnabled, booted else {
                throw PVEError.failed("QEMU guest agent is not running")
            }
            var result: [Document] = [
                interface(
                    "lo", mac: "00:00:00:00:00:00",
                    addresses: [("127.0.0.1", "ipv4", 8), ("::1", "ipv6", 128)])
            ]
            for key in PVECloudInit.netKeys(vm.config) {
                let id = Int(key.dropFirst(3)) ?? 0
                let mac =
                    (PVEDrive.parse(PVEQemuSchema.normalizedNet(vm.config[key]!), defaultKey: "model")["macaddr"] ?? "")
                    .lowercased()
                var addresses: [(String, String, Int)] = []
                let ipconfig = PVEDrive.parse(vm.config["ipconfig\(id)"] ?? "", defaultKey: "ip")
                if let v4 = ipconfig["ip"], let (addr, prefix) = PVECloudInit.splitCIDR(v4) {
                    addresses.append((addr, "ipv4", prefix))
                } else if ipconfig["ip"] == "dhcp" {
                    addresses.append(("192.168.1.\(100 + vm.vmid % 100 + id)", "ipv4", 24))
                }
                if let v6 = ipconfig["ip6"], let (addr, prefix) = PVECloudInit.splitCIDR(v6) {
                    addresses.append((addr, "ipv6", prefix))
                }
                addresses.append((linkLocal(mac), "ipv6", 64))
                result.append(interface("eth\(id)", mac: mac, addresses: addresses))
            }
            return PVEResult(obj([("result", .array(result))]))
        }
    }

    private static func interface(_ name: String, mac: String, addresses: [(String, String, Int)]) -> Document {
        obj([
            ("name", .string(name)), ("hardware-address", .string(mac)),
            (
                "ip-addresses",
                .array(
                    addresses.map {
                        obj([("ip-address", .string($0.0)), ("ip-address-type", .string($0.1)), ("prefix", .int($0.2))])
                    })
            ),
            (
                "statistics",
                obj([
                    ("rx-bytes", .int(123_456)), ("rx-dropped", .int(0)), ("rx-errs", .int(0)),
                    ("rx-packets", .int(987)),
                    ("tx-bytes", .int(65_432)), ("tx-dropped", .int(0)), ("tx-errs", .int(0)),
                    ("tx-packets", .int(543)),
                ])
            ),
        ])
    }

    /// The EUI-64 link-local address of a MAC (`fe80::be24:11ff:feaa:bbcc`).
    static func linkLocal(_ mac: String) -> String {
        var b = mac.split(separator: ":").compactMap { UInt8($0, radix: 16) }
        guard b.count == 6 else { return "fe80::1" }
        b[0] ^= 0x02
        let words = [
            UInt16(b[0]) << 8 | UInt16(b[1]), UInt16(b[2]) << 8 | 0xFF, 0xFE00 | UInt16(b[3]),
            UInt16(b[4]) << 8 | UInt16(b[5]),
        ]
        return "fe80::" + words.map { String($0, radix: 16) }.joined(separator: ":")
    }

    /// `cloudinit/dump?type=user|network|meta`: the generated file, as a string.
    static func cloudinitDump(_ call: PVECall) throws(PVEError) -> PVEResult {
        try call.withState { (s: inout PVEState) throws(PVEError) -> PVEResult in
            let vm = try requireVM(s, call.vmid, on: call.node)
            let node = try requireNode(s, vm.node).config
            switch call.string("type") {
            case "user": return PVEResult(.string(PVECloudInit.userData(vm.config, vmid: vm.vmid)))
            case "network": return PVEResult(.string(PVECloudInit.networkConfig(vm.config, node: node)))
            default: return PVEResult(.string(PVECloudInit.metaData(vm.config, vmid: vm.vmid, node: node)))
            }
        }
    }
}

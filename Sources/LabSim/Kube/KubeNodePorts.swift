import HLSCore

/// The apiserver's node-port allocator (`portallocator`, the default range 30000-32767): each
/// port of a NodePort or LoadBalancer Service (unless `allocateLoadBalancerNodePorts: false`)
/// gets a free node port; one asked for must be in the range and free. An update keeps the
/// node ports of the ports it leaves without one (matched by port name, as the registry
/// does), and a Service that turns ClusterIP loses those it did not change.
enum KubeNodePorts {
    static let range = 30000...32767

    static func assign(_ object: inout Document, existing: Document?, state: KubeStoreState) throws(KubeStatus) {
        var ports = object.at(["spec", "ports"])?.items ?? []
        guard !ports.isEmpty else { return }
        let previous = Dictionary(
            (existing?.at(["spec", "ports"])?.items ?? []).compactMap { port in
                Self.nodePort(port).map { (port.text("name") ?? "", $0) }
            }, uniquingKeysWith: { first, _ in first })
        let name = object.text("metadata", "name") ?? ""
        guard Self.needsNodePorts(object) else {
            for index in ports.indices where Self.nodePort(ports[index]) == previous[ports[index].text("name") ?? ""] {
                ports[index].set("nodePort", nil)
            }
            object.set(["spec", "ports"], .array(ports))
            return
        }
        var used = Self.allocated(in: state, except: existing)
        for index in ports.indices {
            if let asked = Self.nodePort(ports[index]) {
                let field = "spec.ports[\(index)].nodePort"
                guard range.contains(asked) else {
                    throw KubeStatus.invalid(
                        KubeStoreState.services, name,
                        [
                            (
                                field,
                                "Invalid value: \(asked): provided port is not in the valid range. The range of valid ports is \(range.lowerBound)-\(range.upperBound)"
                            )
                        ])
                }
                guard used.insert(asked).inserted else {
                    throw KubeStatus.invalid(
                        KubeStoreState.services, name,
                        [(field, "Invalid value: \(asked): provided port is already allocated")])
                }
            } else {
                let port =
                    previous[ports[index].text("name") ?? ""].flatMap { used.contains($0) ? nil : $0 }
                    ?? Self.free(used)
                guard let port else {
                    throw KubeStatus.internalError(
                        "range is full: no node port left in \(range.lowerBound)-\(range.upperBound)")
                }
                used.insert(port)
                ports[index].set("nodePort", .int(port))
            }
        }
        object.set(["spec", "ports"], .array(ports))
    }

    /// Whether a Service's ports get node ports (NodePort, and LoadBalancer unless told not to).
    static func needsNodePorts(_ service: Document) -> Bool {
        switch service.text("spec", "type") {
        case "NodePort": return true
        case "LoadBalancer": return service.at(["spec", "allocateLoadBalancerNodePorts"]) != .bool(false)
        default: return false
        }
    }

    private static func nodePort(_ port: Document) -> Int? {
        if case .int(let value)? = port["nodePort"], value != 0 { return value }
        return nil
    }

    /// The node ports every stored Service holds, but for `except` (the one being updated).
    private static func allocated(in state: KubeStoreState, except: Document?) -> Set<Int> {
        let skip = except.map {
            KubeStoreState.key(namespace: $0.text("metadata", "namespace"), name: $0.text("metadata", "name") ?? "")
        }
        var used = Set<Int>()
        for (key, service) in state.list(KubeStoreState.services, namespace: nil) where key != skip {
            for port in service.at(["spec", "ports"])?.items ?? [] {
                if let value = nodePort(port) { used.insert(value) }
            }
        }
        return used
    }

    /// A free port at random, as the allocator picks one; nil when the range is full.
    private static func free(_ used: Set<Int>) -> Int? {
        guard used.count < range.count else { return nil }
        let start = Int.random(in: range)
        return (0..<range.count).lazy.map { range.lowerBound + (start - range.lowerBound + $0) % range.count }
            .first { !used.contains($0) }
    }
}

import HLSCore

/// The ports the seed's stack needs open from one node to another, and which of them a node's
/// loaded firewall would drop. Pods reach each other over flannel's VXLAN (8472/udp, from the
/// node address); traffic from a pod to a host-network port on another node is masqueraded by
/// flannel to the sending node's address, so it too arrives from a node address.
public enum NodePorts {
    public struct Needed: Sendable, Equatable {
        /// `tcp` or `udp`.
        public var proto: String
        public var ports: ClosedRange<Int>
        /// Who listens there.
        public var service: String

        public init(_ proto: String, _ ports: ClosedRange<Int>, _ service: String) {
            self.proto = proto
            self.ports = ports
            self.service = service
        }

        /// `9100/tcp`, `10000-30000/tcp`.
        public var label: String { "\(NodePorts.text(ports))/\(proto)" }
    }

    /// k3s (docs/installation/requirements.md), the seed's monitoring and ingress, and Longhorn
    /// (longhorn.io/docs/…/references/networking).
    public static let needed: [Needed] = [
        Needed("tcp", 6443...6443, "k3s API server and supervisor"),
        Needed("tcp", 10250...10250, "kubelet"),
        Needed("udp", 8472...8472, "flannel VXLAN"),
        Needed("tcp", 9100...9100, "node-exporter (Prometheus scrapes it)"),
        Needed("tcp", 80...80, "ingress HTTP (Traefik through servicelb)"),
        Needed("tcp", 443...443, "ingress HTTPS (Traefik through servicelb)"),
        Needed("tcp", 9500...9500, "Longhorn manager"),
        Needed("tcp", 9501...9501, "Longhorn conversion webhook"),
        Needed("tcp", 9502...9502, "Longhorn admission webhook"),
        Needed("tcp", 9503...9503, "Longhorn recovery backend"),
        Needed("tcp", 8500...8501, "Longhorn instance manager"),
        Needed("tcp", 8000...8000, "Longhorn backing image manager"),
        Needed("tcp", 3260...3260, "Longhorn iSCSI target"),
        Needed("tcp", 10000...30000, "Longhorn engine and replica data"),
    ]

    /// What `filter` does with `needed` from each of `peers` (IPv4 addresses).
    public struct Finding: Sendable, Equatable {
        public var needed: Needed
        /// The peers some of whose packets are dropped, each with the ports dropped and by what.
        public var dropped: [(peer: String, ports: String, by: String)]

        public var open: Bool { dropped.isEmpty }

        public static func == (a: Finding, b: Finding) -> Bool {
            a.needed == b.needed
                && a.dropped.elementsEqual(b.dropped) { $0.peer == $1.peer && $0.ports == $1.ports && $0.by == $1.by }
        }
    }

    /// One finding per needed port, in `needed` order.
    public static func check(_ filter: NFTInputFilter, from peers: [String]) -> [Finding] {
        needed.map { need in
            var dropped: [(peer: String, ports: String, by: String)] = []
            for peer in peers {
                guard let source = IPv4Interface.parseAddress(peer) else { continue }
                // Consecutive ports dropped by the same thing make one range.
                var runs: [(ports: ClosedRange<Int>, by: String)] = []
                for port in need.ports {
                    guard case .drop(let by) = filter.verdict(.init(source: source, proto: need.proto, port: port))
                    else { continue }
                    if let last = runs.last, last.by == by, last.ports.upperBound == port - 1 {
                        runs[runs.count - 1].ports = last.ports.lowerBound...port
                    } else {
                        runs.append((port...port, by))
                    }
                }
                for run in runs { dropped.append((peer, text(run.ports), run.by)) }
            }
            return Finding(needed: need, dropped: dropped)
        }
    }

    /// `9100`, `10000-30000`.
    public static func text(_ ports: ClosedRange<Int>) -> String {
        ports.count == 1 ? "\(ports.lowerBound)" : "\(ports.lowerBound)-\(ports.upperBound)"
    }
}

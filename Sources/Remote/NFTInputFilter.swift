public import HLSCore
import HLSFormats

/// A node's inbound filter as `nft -j list ruleset` prints it: every base chain on the input hook
/// (families `inet` and `ip`), the regular chains they jump to, and the named sets; enough to
/// tell whether a new IPv4 packet from another node is accepted. In nftables every base chain on
/// the hook sees the packet and a drop in any one of them is final, so the packet passes only
/// when each base chain accepts it.
///
/// A match this model cannot decide (an interface name other than the loopback and CNI ones, a
/// source port, a mark, …) makes its rule not apply: an accept rule that depends on it is not
/// counted on, and a drop rule that depends on it is not held against the packet.
public struct NFTInputFilter: Sendable {
    /// A new inbound IPv4 packet (conntrack state `new`) on the node's network interface.
    public struct Packet: Sendable, Equatable {
        public var source: UInt32
        /// `tcp` or `udp`.
        public var proto: String
        public var port: Int

        public init(source: UInt32, proto: String, port: Int) {
            self.source = source
            self.proto = proto
            self.port = port
        }
    }

    public enum Verdict: Sendable, Equatable {
        case accept
        /// Dropped (or rejected), by what: `policy drop of inet hlsh input`, `rule 7 of ip filter INPUT`.
        case drop(String)
    }

    struct Chain: Sendable {
        var family: String
        var table: String
        var name: String
        var hook: String?
        var priority: Int
        var policy: String
        var rules: [(handle: Int, expressions: [Document])]
        var label: String { "\(family) \(table) \(name)" }
    }

    var chains: [String: Chain] = [:]
    var sets: [String: [Document]] = [:]
    /// The base chains that filter IPv4 input, in the order the kernel runs them.
    var inputChains: [Chain] = []

    /// Parses `nft -j list ruleset` output; `source` names it in errors (`k3s-cp-01: nft -j list ruleset`).
    public init(json: String, source: String) throws(HLSError) {
        let document = try JSONCodec.decode(json, file: source)
        guard case .array(let objects)? = document["nftables"] else {
            throw HLSError(.failed, "\(source) is not an nftables ruleset: it has no \"nftables\" list")
        }
        for object in objects {
            if let chain = object["chain"], let family = chain["family"]?.text, let table = chain["table"]?.text,
                let name = chain["name"]?.text
            {
                let key = "\(family) \(table) \(name)"
                let rules = chains[key]?.rules ?? []
                chains[key] = Chain(
                    family: family, table: table, name: name, hook: chain["hook"]?.text,
                    priority: chain["prio"]?.integer ?? 0, policy: chain["policy"]?.text ?? "accept", rules: rules)
            } else if let rule = object["rule"], let family = rule["family"]?.text, let table = rule["table"]?.text,
                let name = rule["chain"]?.text, case .array(let expressions)? = rule["expr"]
            {
                let key = "\(family) \(table) \(name)"
                var chain =
                    chains[key]
                    ?? Chain(
                        family: family, table: table, name: name, hook: nil, priority: 0, policy: "accept", rules: [])
                chain.rules.append((rule["handle"]?.integer ?? chain.rules.count + 1, expressions))
                chains[key] = chain
            } else if let set = object["set"], let family = set["family"]?.text, let table = set["table"]?.text,
                let name = set["name"]?.text
            {
                if case .array(let elements)? = set["elem"] {
                    sets["\(family) \(table) \(name)"] = elements
                } else {
                    sets["\(family) \(table) \(name)"] = []
                }
            }
        }
        inputChains = chains.values.filter { $0.hook == "input" && ($0.family == "inet" || $0.family == "ip") }
            .sorted { ($0.priority, $0.label) < ($1.priority, $1.label) }
    }

    /// What the input hook does with `packet`: accepted only when every base chain accepts it.
    public func verdict(_ packet: Packet) -> Verdict {
        for chain in inputChains {
            switch evaluate(chain, packet, depth: 0) {
            case .drop(let by)?: return .drop(by)
            case .accept?: continue
            case nil: if chain.policy == "drop" { return .drop("policy drop of \(chain.label)") }
            }
        }
        return .accept
    }

    /// A chain's verdict for `packet`, or nil when it falls through (its end, or `return`).
    private func evaluate(_ chain: Chain, _ packet: Packet, depth: Int) -> Verdict? {
        guard depth < 16 else { return nil }
        for rule in chain.rules {
            var applies = true
            for expression in rule.expressions where applies {
                if let match = expression["match"] {
                    applies = matches(match, packet, chain: chain) == true
                } else if expression["accept"] != nil {
                    return .accept
                } else if expression["drop"] != nil || expression["reject"] != nil {
                    return .drop("rule \(rule.handle) of \(chain.label)")
                } else if expression["return"] != nil {
                    return nil
                } else if let target = (expression["jump"] ?? expression["goto"])?["target"]?.text {
                    let called = chains["\(chain.family) \(chain.table) \(target)"]
                    if let called, let verdict = evaluate(called, packet, depth: depth + 1) { return verdict }
                    if expression["goto"] != nil { return nil }
                }
                // Other statements (counter, log, …) do not decide.
            }
        }
        return nil
    }

    /// Whether a `match` expression holds for `packet`; nil when this model cannot tell.
    private func matches(_ match: Document, _ packet: Packet, chain: Chain) -> Bool? {
        guard let left = match["left"], let right = match["right"] else { return nil }
        let op = match["op"]?.text ?? "=="
        let value: Operand
        if let payload = left["payload"] {
            switch (payload["protocol"]?.text, payload["field"]?.text) {
            case ("ip", "saddr"): value = .address(packet.source)
            case ("ip", "protocol"): value = .name(packet.proto)
            case (let proto?, "dport") where proto == "tcp" || proto == "udp":
                // A tcp match on a udp packet fails whatever the operator.
                guard proto == packet.proto else { return false }
                value = .number(packet.port)
            default: return nil
            }
        } else if let key = left["meta"]?["key"]?.text {
            switch key {
            case "l4proto": value = .name(packet.proto)
            case "nfproto": value = .name("ipv4")
            case "iif", "iifname": value = .interface
            default: return nil
            }
        } else if left["ct"]?["key"]?.text == "state" {
            value = .name("new")
        } else {
            return nil
        }
        guard let found = contains(right, value, chain: chain) else { return nil }
        switch op {
        case "==", "in": return found
        case "!=": return !found
        default: return nil
        }
    }

    enum Operand {
        case address(UInt32)
        case number(Int)
        case name(String)
        /// The node's own network interface, whose name the rules may not know.
        case interface
    }

    /// Interfaces a packet from another node never arrives on.
    static let virtualInterfaces: Set<String> = ["lo", "cni0", "flannel.1", "flannel-v6.1", "flannel-wg", "docker0"]

    /// Whether `right` (a value, a set, a range, a prefix, an `@set` reference) holds `value`.
    private func contains(_ right: Document, _ value: Operand, chain: Chain) -> Bool? {
        switch right {
        case .string(let text) where text.hasPrefix("@"):
            guard let elements = sets["\(chain.family) \(chain.table) \(text.dropFirst())"] else { return nil }
            return contains(.array(elements), value, chain: chain)
        case .array(let elements):
            var unknown = false
            for element in elements {
                switch contains(element, value, chain: chain) {
                case true?: return true
                case nil: unknown = true
                case false?: break
                }
            }
            return unknown ? nil : false
        case .object:
            if let set = right["set"] { return contains(set, value, chain: chain) }
            if case .array(let bounds)? = right["range"], bounds.count == 2 {
                switch value {
                case .number(let n):
                    guard let low = bounds[0].integer, let high = bounds[1].integer else { return nil }
                    return (low...high).contains(n)
                case .address(let a):
                    guard let low = bounds[0].text.flatMap(IPv4Interface.parseAddress),
                        let high = bounds[1].text.flatMap(IPv4Interface.parseAddress)
                    else { return nil }
                    return low <= a && a <= high
                default: return nil
                }
            }
            if let prefix = right["prefix"], case .address(let a) = value {
                guard let network = prefix["addr"]?.text.flatMap(IPv4Interface.parseAddress),
                    let length = prefix["len"]?.integer
                else { return nil }
                return IPv4Interface(address: network, prefix: length).contains(a)
            }
            return nil
        case .int(let n):
            if case .number(let port) = value { return port == n }
            return nil
        case .string(let text):
            switch value {
            case .address(let a): return IPv4Interface.parseAddress(text).map { $0 == a }
            case .name(let name): return name == text
            case .interface: return Self.virtualInterfaces.contains(text) ? false : nil
            case .number(let n): return Int(text).map { $0 == n }
            }
        default:
            return nil
        }
    }
}

extension Document {
    fileprivate var text: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    fileprivate var integer: Int? {
        switch self {
        case .int(let n): return n
        case .double(let d): return Int(exactly: d)
        default: return nil
        }
    }
}

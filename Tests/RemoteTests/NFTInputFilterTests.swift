import HLSCore
import Remote
import XCTest

/// The input-hook model behind `node ports`, on rule sets written as `nft -j list ruleset` prints them.
final class NFTInputFilterTests: XCTestCase {
    static let peer = IPv4Interface.parseAddress("192.168.10.22")!

    /// Every base chain on the input hook sees the packet: an accept in one does not save it from
    /// a drop in another, and a jump's verdict counts as the caller's.
    func testADropInAnyInputChainIsFinal() throws {
        let json = """
            {"nftables": [{"metainfo": {"json_schema_version": 1}},
            {"table": {"family": "inet", "name": "hlsh", "handle": 1}},
            {"set": {"family": "inet", "name": "nodes", "table": "hlsh", "type": "ipv4_addr", "handle": 2,
              "flags": ["interval"], "elem": [{"prefix": {"addr": "192.168.10.0", "len": 24}}]}},
            {"chain": {"family": "inet", "table": "hlsh", "name": "input", "handle": 3, "type": "filter",
              "hook": "input", "prio": 0, "policy": "drop"}},
            {"rule": {"family": "inet", "table": "hlsh", "chain": "input", "handle": 4, "expr": [
              {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@nodes"}},
              {"accept": null}]}},
            {"table": {"family": "ip", "name": "filter", "handle": 5}},
            {"chain": {"family": "ip", "table": "filter", "name": "INPUT", "handle": 6, "type": "filter",
              "hook": "input", "prio": 0, "policy": "accept"}},
            {"chain": {"family": "ip", "table": "filter", "name": "BLOCK", "handle": 7}},
            {"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 8, "expr": [
              {"jump": {"target": "BLOCK"}}]}},
            {"rule": {"family": "ip", "table": "filter", "chain": "BLOCK", "handle": 9, "expr": [
              {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                "right": {"range": [9500, 9503]}}}, {"drop": null}]}}
            ]}
            """
        let filter = try NFTInputFilter(json: json, source: "test")
        XCTAssertEqual(filter.verdict(.init(source: Self.peer, proto: "tcp", port: 9100)), .accept)
        XCTAssertEqual(
            filter.verdict(.init(source: Self.peer, proto: "tcp", port: 9502)), .drop("rule 9 of ip filter BLOCK"))
        // The udp packet does not match a tcp dport rule.
        XCTAssertEqual(filter.verdict(.init(source: Self.peer, proto: "udp", port: 9502)), .accept)
        let outsider = try XCTUnwrap(IPv4Interface.parseAddress("10.0.0.9"))
        XCTAssertEqual(
            filter.verdict(.init(source: outsider, proto: "tcp", port: 9100)), .drop("policy drop of inet hlsh input"))

        let findings = NodePorts.check(filter, from: ["192.168.10.22"])
        XCTAssertEqual(
            findings.filter { !$0.open }.map(\.needed.label), ["9500/tcp", "9501/tcp", "9502/tcp", "9503/tcp"])
    }

    /// An accept that hangs on something the model cannot know (the NIC's name) is not counted on.
    func testAnUnknownInterfaceNameIsNotCountedOn() throws {
        let json = """
            {"nftables": [
            {"chain": {"family": "inet", "table": "t", "name": "in", "type": "filter", "hook": "input", "prio": 0,
              "policy": "drop"}},
            {"rule": {"family": "inet", "table": "t", "chain": "in", "handle": 2, "expr": [
              {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": {"set": ["cni0", "flannel.1"]}}},
              {"accept": null}]}},
            {"rule": {"family": "inet", "table": "t", "chain": "in", "handle": 3, "expr": [
              {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}}, {"accept": null}]}}
            ]}
            """
        let filter = try NFTInputFilter(json: json, source: "test")
        XCTAssertEqual(
            filter.verdict(.init(source: Self.peer, proto: "tcp", port: 10250)), .drop("policy drop of inet t in"))
        XCTAssertThrowsError(try NFTInputFilter(json: #"{"other": []}"#, source: "k3s-cp-01: nft"))
    }
}

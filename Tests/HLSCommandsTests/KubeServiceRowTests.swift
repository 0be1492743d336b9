import HLSCore
import HLSFormats
import HLSLanguage
import XCTest

@testable import HLSCommands

/// `kube get svc`'s EXTERNAL-IP and PORT(S), as the API server prints them
/// (`getServiceExternalIP`, `makePortString` in `pkg/printers/internalversion/printers.go`).
final class KubeServiceRowTests: XCTestCase {
    private func columns(_ json: String) throws -> [String: String] {
        let service = try JSONCodec.decode(json)
        var cells: [String: String] = [:]
        for (key, value) in KubeTable.columns(of: service, kind: "Service") {
            if case .string(let text) = value { cells[key] = text }
        }
        return cells
    }

    func testExternalIPIsTheIngressThenTheExternalIPsAndPortsShowTheNodePort() throws {
        let balanced = try columns(
            #"{"spec":{"type":"LoadBalancer","externalIPs":["10.0.0.9"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]},"#
                + #""status":{"loadBalancer":{"ingress":[{"ip":"192.168.10.22"},{"ip":"192.168.10.21"},{"hostname":"lb.example.com"}]}}}"#
        )
        XCTAssertEqual(balanced["external-ip"], "192.168.10.21,192.168.10.22,lb.example.com,10.0.0.9")
        XCTAssertEqual(balanced["ports"], "80:30080/TCP,53/UDP")
        XCTAssertEqual(
            try columns(#"{"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}"#)["external-ip"], "<pending>")
        let named = try columns(#"{"spec":{"type":"ExternalName","externalName":"db.example.com"}}"#)
        XCTAssertEqual(named["external-ip"], "db.example.com")
        XCTAssertEqual(named["ports"], "<none>")
        let clusterIP = try columns(
            #"{"spec":{"ports":[{"port":80}]},"status":{"loadBalancer":{"ingress":[{"ip":"192.168.10.21"}]}}}"#)
        XCTAssertEqual(clusterIP["external-ip"], "<none>", "a ClusterIP Service shows no load balancer")
        XCTAssertEqual(
            try columns(#"{"spec":{"type":"NodePort","externalIPs":["10.0.0.9"]}}"#)["external-ip"], "10.0.0.9")
    }
}

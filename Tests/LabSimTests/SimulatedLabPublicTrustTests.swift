import Foundation
import HLSCore
import TestSupport
import X509
import XCTest

@testable import LabSim

/// What a lab hands its user of the public services its cert-manager reaches (ADR 0029):
/// `CLOUDFLARE_API_TOKEN`, and `HLSH_SIM_CA_FILE` holding the simulated Let's Encrypt production
/// root beside the lab's GitHub CA, never the staging root — both kept across restarts.
final class SimulatedLabPublicTrustTests: XCTestCase {
    func testTheCloudflareTokenAndTheTrustedRootsOutliveARestart() throws {
        let dir = try TemporaryDirectory("labsim-public-trust")
        let options = SimulatedLab.Options(
            pve: .seedLabWithFreshSecrets(timings: .demo), nodeImage: nil, kube: nil,
            git: SimulatedLab.GitOptions(repositories: ["example/homelab"], accountKeys: []))
        var tokens: [String] = []
        var bundles: [String] = []
        for _ in 0..<2 {
            let lab = try SimulatedLab.start(options, in: dir.file("lab"))
            try lab.writeEnvironment()
            let token = try XCTUnwrap(lab.environment["CLOUDFLARE_API_TOKEN"])
            tokens.append(token)
            XCTAssertTrue(
                try String(contentsOfFile: dir.file("lab/env"), encoding: .utf8).contains(
                    "export CLOUDFLARE_API_TOKEN="), "DIR/env exports it")
            bundles.append(
                try String(contentsOfFile: try XCTUnwrap(lab.environment["HLSH_SIM_CA_FILE"]), encoding: .utf8))
            lab.stop()
        }
        XCTAssertTrue(SimulatedCloudflare.wellFormed(tokens[0]), tokens[0])
        XCTAssertEqual(tokens[0], tokens[1], "a restart changed the token")
        XCTAssertEqual(bundles[0], bundles[1], "a restart changed the trusted roots")
        let lab = dir.file("lab")
        let production = try String(contentsOfFile: lab + "/acme/production-root.pem", encoding: .utf8)
        XCTAssertEqual(
            try Certificate(pemEncoded: production).subject.description,
            "CN=ISRG Root X1,O=Internet Security Research Group,C=US")
        XCTAssertTrue(bundles[0].contains(production), "the production root is trusted")
        XCTAssertTrue(
            bundles[0].contains(try String(contentsOfFile: lab + "/git/web-ca.pem", encoding: .utf8)),
            "the lab's GitHub CA stays trusted")
        let staging = try SimulatedLetsEncrypt(directory: lab + "/acme").stagingRoot().certificatePEM()
        XCTAssertFalse(bundles[0].contains(staging), "the staging root is not trusted")
    }
}

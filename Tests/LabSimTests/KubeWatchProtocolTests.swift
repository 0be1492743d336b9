import Foundation
import LabSim
import TestSupport
import XCTest

/// The simulated Kubernetes API over HTTPS, driven with the `curl` program: authentication,
/// watch streams (bookmarks, watch-list, 410 Expired) and injected faults.
final class KubeWatchProtocolTests: XCTestCase {
    static let token = "sim-token-0123456789"
    /// Kept for the test's lifetime: the CA file lives in it.
    private var directory: TemporaryDirectory?

    private func fixture() throws -> (KubeAPISimulator, KubeAPISimulator.Endpoint, TemporaryDirectory, String) {
        var options = KubeAPISimulator.Options()
        options.tokens = [Self.token: "admin"]
        options.bookmarkInterval = 0.3
        let sim = KubeAPISimulator(options: options)
        let endpoint = try sim.start()
        let dir = try TemporaryDirectory("labsim-kube-curl")
        let ca = try dir.write("ca.pem", endpoint.certificateAuthorityPEM)
        directory = dir
        return (sim, endpoint, dir, ca)
    }

    private func curl(
        _ endpoint: KubeAPISimulator.Endpoint, _ ca: String, _ pathAndQuery: String, token: String? = token,
        extra: [String] = []
    ) throws -> (status: Int, body: String) {
        var args = ["-sS", "--http1.1", "--max-time", "20", "--cacert", ca, "-w", "\n%{http_code}"] + extra
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        args.append(endpoint.url + pathAndQuery)
        let result = try runProcess("/usr/bin/curl", args)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    private func events(_ body: String) -> [[String: Any]] {
        body.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func testTokensAndClientCertificatesAuthenticate() throws {
        let (sim, endpoint, dir, ca) = try fixture()
        defer { sim.stop() }
        XCTAssertEqual(try curl(endpoint, ca, "/version").status, 200)
        let anonymous = try curl(endpoint, ca, "/api", token: nil)
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertTrue(anonymous.body.contains(#""reason":"Unauthorized""#), anonymous.body)
        XCTAssertEqual(try curl(endpoint, ca, "/api", token: "wrong").status, 401)
        // The admin certificate and EC key from the kubeconfig, as k3s writes them.
        let config = try sim.kubeconfig()
        func field(_ name: String) throws -> String {
            let line = try XCTUnwrap(config.split(separator: "\n").first { $0.contains(name + ":") })
            let value = String(line.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces)
            return String(decoding: try XCTUnwrap(Data(base64Encoded: value)), as: UTF8.self)
        }
        let key = try field("client-key-data")
        XCTAssertTrue(key.hasPrefix("-----BEGIN EC PRIVATE KEY-----\n"), key)
        let cert = try dir.write("admin.crt", try field("client-certificate-data"))
        let keyFile = try dir.write("admin.key", key, mode: 0o600)
        let viaCertificate = try curl(
            endpoint, ca, "/api/v1/namespaces", token: nil, extra: ["--cert", cert, "--key", keyFile])
        XCTAssertEqual(viaCertificate.status, 200, viaCertificate.body)
        XCTAssertTrue(viaCertificate.body.contains(#""name":"kube-system""#))
    }

    func testWatchListSendsInitialEventsThenTheEndBookmark() throws {
        let (sim, endpoint, _, ca) = try fixture()
        defer { sim.stop() }
        let reply = try curl(
            endpoint, ca,
            "/api/v1/namespaces?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"
        )
        XCTAssertEqual(reply.status, 200)
        let list = events(reply.body)
        let types = list.compactMap { $0["type"] as? String }
        XCTAssertEqual(Array(types.prefix(5)), ["ADDED", "ADDED", "ADDED", "ADDED", "BOOKMARK"], reply.body)
        let end = try XCTUnwrap(list.dropFirst(4).first?["object"] as? [String: Any])
        XCTAssertEqual(end["kind"] as? String, "Namespace")
        let metadata = try XCTUnwrap(end["metadata"] as? [String: Any])
        XCTAssertEqual((metadata["annotations"] as? [String: String])?["k8s.io/initial-events-end"], "true")
        XCTAssertNotNil(metadata["resourceVersion"] as? String)
        XCTAssertTrue(types.dropFirst(5).allSatisfy { $0 == "BOOKMARK" }, "then periodic bookmarks: \(types)")
        let without = try curl(endpoint, ca, "/api/v1/namespaces?watch=true&sendInitialEvents=true")
        XCTAssertEqual(without.status, 422, without.body)
    }

    func testWatchFromACompactedVersionGetsExpired() throws {
        let (sim, endpoint, _, ca) = try fixture()
        defer { sim.stop() }
        sim.compactHistory()
        let reply = try curl(endpoint, ca, "/api/v1/namespaces?watch=true&resourceVersion=2&timeoutSeconds=5")
        XCTAssertEqual(reply.status, 200)
        let event = try XCTUnwrap(events(reply.body).first)
        XCTAssertEqual(event["type"] as? String, "ERROR")
        let status = try XCTUnwrap(event["object"] as? [String: Any])
        XCTAssertEqual(status["reason"] as? String, "Expired")
        XCTAssertEqual(status["code"] as? Int, 410)
        XCTAssertTrue((status["message"] as? String)?.hasPrefix("too old resource version: 2 (") == true)
    }

    func testInjectedFaults() throws {
        let (sim, endpoint, _, ca) = try fixture()
        defer { sim.stop() }
        sim.injectFault(.internalError(path: "/api/v1/nodes", times: 1))
        let failed = try curl(endpoint, ca, "/api/v1/nodes")
        XCTAssertEqual(failed.status, 500)
        XCTAssertEqual(try curl(endpoint, ca, "/api/v1/nodes").status, 200, "only once")
        sim.injectFault(.slow(path: "/version", seconds: 0.6, times: 1))
        let started = Date()
        XCTAssertEqual(try curl(endpoint, ca, "/version").status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.6)
        sim.injectFault(.watchExpired(times: 1))
        let expired = try curl(endpoint, ca, "/api/v1/pods?watch=true&timeoutSeconds=2")
        XCTAssertEqual((events(expired.body).first?["object"] as? [String: Any])?["code"] as? Int, 410)
        XCTAssertTrue(sim.faults.isEmpty)
    }
}

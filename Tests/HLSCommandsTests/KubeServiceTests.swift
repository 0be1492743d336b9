import Foundation
import HLSLanguage
import Synchronization
import TestSupport
import XCTest

@testable import HLSCommands

/// The run's Kubernetes service: one client per context, made once, its warnings said once.
final class KubeServiceTests: XCTestCase {
    func testOneClientPerContextAndItsWarningsOnce() throws {
        let dir = try TemporaryDirectory("hlsh-kube-service")
        let config = try dir.write(
            "config",
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: lab
              cluster: {server: "https://192.168.10.21:6443", insecure-skip-tls-verify: true}
            - name: work
              cluster: {server: "https://work:6443"}
            users:
            - name: admin
              user: {token: t}
            contexts:
            - name: lab
              context: {cluster: lab, user: admin}
            - name: work
              context: {cluster: work, user: admin, namespace: apps}
            current-context: lab

            """)
        let warnings = Mutex<[String]>([])
        let context = ExecutionContext(
            environment: ["KUBECONFIG": config, "HOME": dir.path], out: { _ in },
            err: { text in warnings.withLock { $0.append(text) } })
        let service = try KubeService.of(context)
        XCTAssertTrue(try KubeService.of(context) === service, "one service per run")
        let lab = try service.client()
        XCTAssertTrue(try service.client(context: "lab") === lab, "one client per context")
        XCTAssertEqual(lab.endpoint.server, "https://192.168.10.21:6443")
        XCTAssertEqual(try service.client(context: "work").endpoint.namespace, "apps")
        XCTAssertEqual(warnings.withLock { $0.count }, 1)
        XCTAssertTrue(
            warnings.withLock { $0.first?.hasPrefix("warning: context lab: insecure-skip-tls-verify") ?? false })
        context.closeServices()
        XCTAssertFalse(try service.client(context: "lab") === lab, "closing forgets the clients")
    }
}

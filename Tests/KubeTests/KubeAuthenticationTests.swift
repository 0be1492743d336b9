import Foundation
import HLSCore
import HLSTransport
import Kube
import TestSupport
import XCTest

/// Authentication as a kubeconfig describes it, on the wire: an EC P-256 client certificate
/// (what k3s hands out) given as `-data`, and exec credential plugins.
final class KubeAuthenticationTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory("hlsh-kube-auth") }

    func openssl(_ arguments: [String]) throws {
        let result = try runProcess("/usr/bin/env", ["openssl"] + arguments)
        guard result.status == 0 else { throw HTTPFixtureError("openssl \(arguments.first!): \(result.stderr)") }
    }

    /// A cluster CA, a server certificate for 127.0.0.1 and a client certificate, all EC P-256,
    /// keys in SEC1 (`BEGIN EC PRIVATE KEY`) as k3s writes them.
    func makeCertificates() throws {
        for name in ["ca", "server", "client"] {
            try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir.file("\(name).key")])
        }
        try openssl([
            "req", "-x509", "-new", "-key", dir.file("ca.key"), "-subj", "/CN=k3s-server-ca", "-days", "2",
            "-out", dir.file("ca.pem"),
        ])
        _ = try dir.write("server.ext", "subjectAltName=IP:127.0.0.1,DNS:kubernetes\n")
        _ = try dir.write("client.ext", "extendedKeyUsage=clientAuth\n")
        for (name, subject) in [("server", "/CN=k3s"), ("client", "/O=system:masters/CN=system:admin")] {
            try openssl([
                "req", "-new", "-key", dir.file("\(name).key"), "-subj", subject, "-out", dir.file("\(name).csr"),
            ])
            try openssl([
                "x509", "-req", "-in", dir.file("\(name).csr"), "-CA", dir.file("ca.pem"), "-CAkey", dir.file("ca.key"),
                "-CAcreateserial", "-days", "2", "-extfile", dir.file("\(name).ext"), "-out", dir.file("\(name).pem"),
            ])
        }
    }

    func base64(_ file: String) throws -> String {
        try Data(contentsOf: URL(fileURLWithPath: dir.file(file))).base64EncodedString()
    }

    func kubeconfig(server: String, user: String, cluster extra: String = "") throws -> String {
        try dir.write(
            "config",
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: default
              cluster:
                server: \(server)
                certificate-authority-data: \(try base64("ca.pem"))\(extra)
            users:
            - name: default
              user:
            \(user)
            contexts:
            - name: default
              context: {cluster: default, user: default}
            current-context: default

            """)
    }

    let namespaces = [
        Script.rule(
            "GET", "/api/v1/namespaces",
            [Script.reply(200, ["kind": "NamespaceList", "metadata": ["resourceVersion": "1"], "items": []])])
    ]

    func testAnECP256ClientCertificateFromTheKubeconfigIsAccepted() throws {
        try makeCertificates()
        let server = try HTTPServerFixture(
            tls: .init(
                certificate: dir.file("server.pem"), key: dir.file("server.key"), requiredClientCA: dir.file("ca.pem")),
            script: Script.text(namespaces))
        defer { server.stop() }
        let withCertificate = try kubeconfig(
            server: server.baseURL,
            user:
                "    client-certificate-data: \(try base64("client.pem"))\n    client-key-data: \(try base64("client.key"))"
        )
        let client = try KubeClient(environment: ["KUBECONFIG": withCertificate, "HOME": dir.path])
        XCTAssertEqual(try client.list(.namespaces).resourceVersion, "1")

        let anonymous = try kubeconfig(server: server.baseURL, user: "    token: t")
        let refused = caught { try KubeClient(environment: ["KUBECONFIG": anonymous]).list(.namespaces) }
        XCTAssertTrue(
            refused?.message.hasPrefix("Kubernetes API of context default (\(server.baseURL)): ") ?? false,
            "\(String(describing: refused))")
        XCTAssertEqual(refused?.place?.description, "GET /api/v1/namespaces?limit=500")
        XCTAssertEqual(server.requestsCount, 1, "the refused client never got to send its request")
    }

    func testTheServerCertificateIsCheckedAgainstTheClusterCAAndTLSServerName() throws {
        try makeCertificates()
        let server = try HTTPServerFixture(
            tls: .init(certificate: dir.file("server.pem"), key: dir.file("server.key")),
            script: Script.text(namespaces))
        defer { server.stop() }
        let user = "    token: t"
        // The certificate names 127.0.0.1 and kubernetes: reaching it as localhost fails unless
        // tls-server-name says which name to expect.
        let byName = server.baseURL.replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let wrongName = caught {
            try KubeClient(environment: ["KUBECONFIG": try self.kubeconfig(server: byName, user: user)]).list(
                .namespaces)
        }
        XCTAssertTrue(wrongName?.message.contains("certificate problem") ?? false, "\(String(describing: wrongName))")
        XCTAssertTrue(wrongName?.hint?.contains("certificate-authority of cluster default") ?? false)
        let named = try kubeconfig(server: byName, user: user, cluster: "\n    tls-server-name: kubernetes")
        XCTAssertEqual(try KubeClient(environment: ["KUBECONFIG": named]).list(.namespaces).resourceVersion, "1")
    }

    /// The simulated lab's loopback mapping (`HLSH_SIM_KUBE_CONNECT_TO`): the kubeconfig keeps a
    /// server address that does not resolve here, the certificate is still checked against it
    /// (or against tls-server-name), and the connection goes to the mapped port.
    func testTheSimulatedLabsMappingSendsTheConnectionToLoopback() throws {
        try makeCertificates()
        let server = try HTTPServerFixture(
            tls: .init(certificate: dir.file("server.pem"), key: dir.file("server.key")),
            script: Script.text(namespaces))
        defer { server.stop() }
        let port = server.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let user = "    token: t"
        let named = try kubeconfig(server: "https://kubernetes:\(port)", user: user)
        let unmapped = caught { try KubeClient(environment: ["KUBECONFIG": named]).list(.namespaces) }
        XCTAssertNotNil(unmapped, "kubernetes does not resolve here")
        let mapping = "kubernetes:\(port):127.0.0.1:\(port)"
        let mapped = try KubeClient(environment: ["KUBECONFIG": named, "HLSH_SIM_KUBE_CONNECT_TO": mapping])
        XCTAssertEqual(try mapped.list(.namespaces).resourceVersion, "1")
        // Under --sim only loopback and mapped servers are reached: never a real cluster.
        let simulated = ["KUBECONFIG": named, "HLSH_SIM_LOOPBACK_ONLY": "1"]
        let refused = caught { try KubeClient(environment: simulated).list(.namespaces) }
        XCTAssertEqual(
            refused?.message, "context default points at https://kubernetes:\(port), which is not in the simulated lab")
        let before = try server.requests().count
        let simulatedAndMapped = simulated.merging(["HLSH_SIM_KUBE_CONNECT_TO": mapping]) { _, b in b }
        XCTAssertEqual(try KubeClient(environment: simulatedAndMapped).list(.namespaces).resourceVersion, "1")
        XCTAssertEqual(try server.requests().count, before + 1, "only the mapped call reached the server")
        // With tls-server-name the mapping still applies to the server's own address.
        let elsewhere = try kubeconfig(
            server: "https://node.invalid:\(port)", user: user, cluster: "\n    tls-server-name: kubernetes")
        let chained = try KubeClient(environment: [
            "KUBECONFIG": elsewhere, "HLSH_SIM_KUBE_CONNECT_TO": "node.invalid:\(port):127.0.0.1:\(port)",
        ])
        XCTAssertEqual(try chained.list(.namespaces).resourceVersion, "1")
    }

    /// A plugin that counts its runs, saves what it was given and prints a token `tok-N`.
    func plugin(expires: String) throws -> String {
        try dir.write(
            "plugin.sh",
            """
            #!/bin/sh
            n=$(( $(cat "$COUNT" 2>/dev/null || echo 0) + 1 ))
            echo "$n" > "$COUNT"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO"
            echo "$1 $PLUGIN_ENV" > "$ARGS"
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-%s","expirationTimestamp":"\(expires)"}}' "$n"

            """, mode: 0o755)
    }

    func execUser() -> String {
        """
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ./plugin.sh
              args: [get-token]
              env: [{name: PLUGIN_ENV, value: from-config}]
              interactiveMode: Never
              provideClusterInfo: true
        """
    }

    /// A kubeconfig whose user runs `plugin.sh`, and where the plugin records its runs.
    func execPluginEnvironment(server: String) throws -> [String: String] {
        [
            "KUBECONFIG": try kubeconfig(server: server, user: execUser()), "COUNT": dir.file("count"),
            "INFO": dir.file("info"), "ARGS": dir.file("args"), "PATH": "/usr/bin:/bin",
        ]
    }

    func testAnExecPluginsTokenIsCachedUntilItExpiresAndRenewedAfterA401() throws {
        try makeCertificates()
        _ = try plugin(expires: "2999-01-01T00:00:00Z")
        let server = try HTTPServerFixture(
            tls: .init(certificate: dir.file("server.pem"), key: dir.file("server.key")),
            script: Script.text([
                Script.rule(
                    "GET", "/api/v1/nodes/n1",
                    [
                        Script.reply(200, ["kind": "Node"]), Script.reply(200, ["kind": "Node"]),
                        Script.status(401, "Unauthorized", "Unauthorized"), Script.reply(200, ["kind": "Node"]),
                    ])
            ]))
        defer { server.stop() }
        let client = try KubeClient(environment: execPluginEnvironment(server: server.baseURL))
        _ = try client.get(.nodes, "n1")
        _ = try client.get(.nodes, "n1")
        XCTAssertEqual(try String(contentsOfFile: dir.file("count"), encoding: .utf8), "1\n", "cached")
        _ = try client.get(.nodes, "n1")
        XCTAssertEqual(try String(contentsOfFile: dir.file("count"), encoding: .utf8), "2\n", "run again after a 401")
        let tokens = try server.requests().map { ($0["headers"] as? [String: String])?["Authorization"] ?? "" }
        XCTAssertEqual(tokens, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"])
        XCTAssertEqual(try String(contentsOfFile: dir.file("args"), encoding: .utf8), "get-token from-config\n")
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("info"))))
        let spec = try XCTUnwrap((info as? [String: Any])?["spec"] as? [String: Any])
        XCTAssertEqual((info as? [String: Any])?["apiVersion"] as? String, "client.authentication.k8s.io/v1")
        XCTAssertEqual(spec["interactive"] as? Bool, false)
        XCTAssertEqual((spec["cluster"] as? [String: Any])?["server"] as? String, server.baseURL)
    }

    func testAnExpiredExecCredentialIsNotReusedAndABadOneIsNamed() throws {
        try makeCertificates()
        _ = try plugin(expires: "2001-01-01T00:00:00Z")
        let server = try HTTPServerFixture(
            tls: .init(certificate: dir.file("server.pem"), key: dir.file("server.key")),
            script: Script.text([Script.rule("GET", "/api/v1/nodes/n1", [Script.reply(200, ["kind": "Node"])])]))
        defer { server.stop() }
        let client = try KubeClient(environment: execPluginEnvironment(server: server.baseURL))
        _ = try client.get(.nodes, "n1")
        _ = try client.get(.nodes, "n1")
        XCTAssertEqual(try String(contentsOfFile: dir.file("count"), encoding: .utf8), "2\n")

        _ = try dir.write(
            "plugin.sh",
            "#!/bin/sh\necho '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1beta1\"}'\n",
            mode: 0o755)
        let error = caught {
            try KubeClient(environment: execPluginEnvironment(server: server.baseURL)).get(.nodes, "n1")
        }
        XCTAssertEqual(
            error?.message,
            "exec credential plugin \(dir.file("plugin.sh")) of context default: it is configured to use API version "
                + "client.authentication.k8s.io/v1, and it returned \"client.authentication.k8s.io/v1beta1\"")
        XCTAssertEqual(error?.place, .field(file: dir.file("config"), path: "users[default].user.exec"))
    }
}

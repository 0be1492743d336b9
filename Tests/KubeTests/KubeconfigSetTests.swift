import Foundation
import HLSCore
import HLSTransport
import Kube
import TestSupport
import XCTest

/// kubectl's kubeconfig rules (client-go `clientcmd/loader.go` and `validation.go`): which files
/// are read, how they merge, which context is used, and what is refused, with errors that name
/// the file and the field.
final class KubeconfigSetTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory("hlsh-kubeconfig") }

    /// A kubeconfig with one cluster, user and context each called `name`.
    func config(_ name: String, server: String, current: String? = nil, user: String = "token: t", extra: String = "")
        -> String
    {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(name)
          cluster:
            server: \(server)
        users:
        - name: \(name)
          user:
            \(user)
        contexts:
        - name: \(name)
          context:
            cluster: \(name)
            user: \(name)
        \(extra)
        current-context: \(current ?? "")

        """
    }

    func load(_ kubeconfig: String) throws -> KubeconfigSet {
        try KubeconfigSet.load(environment: ["KUBECONFIG": kubeconfig, "HOME": dir.path])
    }

    func error(_ body: () throws -> Any) -> HLSError? {
        do {
            _ = try body()
            return nil
        } catch let error as HLSError {
            return error
        } catch {
            XCTFail("not an HLSError: \(error)")
            return nil
        }
    }

    func testTheFirstFileToDefineANameWinsAndItsEntryIsTakenWhole() throws {
        let a = try dir.write("a", config("lab", server: "https://a:6443", current: "lab"))
        let b = try dir.write(
            "b",
            config("lab", server: "https://b:6443", current: "other")
                + "\n" + "")
        let set = try load("\(a):\(b)")
        XCTAssertEqual(set.files, [a, b])
        XCTAssertEqual(set.clusters["lab"]?.server, "https://a:6443")
        XCTAssertEqual(set.clusters["lab"]?.file, a)
        XCTAssertEqual(set.currentContext, "lab", "the first non-empty current-context wins")
        let swapped = try load("\(b):\(a)")
        XCTAssertEqual(swapped.clusters["lab"]?.server, "https://b:6443")
        XCTAssertEqual(swapped.currentContext, "other")
    }

    func testEntriesOfLaterFilesAreAddedAndAnEmptyCurrentContextDoesNotWin() throws {
        let a = try dir.write("a", config("one", server: "https://one:6443", current: nil))
        let b = try dir.write("b", config("two", server: "https://two:6443", current: "two"))
        let set = try load("\(a):\(b)")
        XCTAssertEqual(set.contexts.keys.sorted(), ["one", "two"])
        XCTAssertEqual(set.currentContext, "two")
        XCTAssertEqual(try set.endpoint().server, "https://two:6443")
        XCTAssertEqual(try set.endpoint(context: "one").server, "https://one:6443", "--context overrides")
    }

    func testAnEntryIsNeverMergedFieldByField() throws {
        // The second file's user has a token the first one's lacks; kubectl does not combine them.
        let a = try dir.write(
            "a", config("lab", server: "https://a:6443", current: "lab", user: "username: admin\n    password: pw"))
        let b = try dir.write("b", config("lab", server: "https://b:6443", user: "token: from-b"))
        let endpoint = try load("\(a):\(b)").endpoint()
        guard case .basic(let user, let password) = endpoint.credential else {
            return XCTFail("expected basic auth from the first file, got \(endpoint.credential)")
        }
        XCTAssertEqual([user, password], ["admin", "pw"])
    }

    func testMissingFilesInKUBECONFIGAreSkippedAndRepeatsAndEmptyItemsDropped() throws {
        let a = try dir.write("a", config("lab", server: "https://a:6443", current: "lab"))
        let set = try load("\(dir.file("nope"))::\(a):\(a)")
        XCTAssertEqual(set.files, [a])
        XCTAssertEqual(set.missing, [dir.file("nope")])
    }

    func testWithoutKUBECONFIGTheHomeConfigIsRead() throws {
        try FileManager.default.createDirectory(atPath: dir.file(".kube"), withIntermediateDirectories: true)
        _ = try dir.write(".kube/config", config("home", server: "https://home:6443", current: "home"))
        let set = try KubeconfigSet.load(environment: ["HOME": dir.path])
        XCTAssertEqual(try set.endpoint().context, "home")
        let empty = try KubeconfigSet.load(environment: ["HOME": dir.path, "KUBECONFIG": ""])
        XCTAssertEqual(empty.files, [dir.file(".kube/config")], "an empty KUBECONFIG is unset")
    }

    func testAnExplicitKubeconfigMustExistAndIsTheOnlyFileRead() throws {
        let a = try dir.write("a", config("a", server: "https://a:6443", current: "a"))
        let b = try dir.write("b", config("b", server: "https://b:6443", current: "b"))
        let set = try KubeconfigSet.load(environment: ["KUBECONFIG": a], explicitPath: b)
        XCTAssertEqual(set.files, [b])
        let missing = error { try KubeconfigSet.load(environment: [:], explicitPath: self.dir.file("none")) }
        XCTAssertEqual(missing?.message, "kubeconfig \(dir.file("none")) does not exist")
    }

    func testNoContextAtAllSaysWhatToDo() throws {
        let none = error { try self.load(self.dir.file("absent")).endpoint() }
        XCTAssertEqual(none?.message, "no kubeconfig: \(dir.file("absent")) does not exist")
        XCTAssertTrue(none?.hint?.contains("node kubeconfig") ?? false)
        let a = try dir.write("a", config("lab", server: "https://a:6443", current: nil))
        let unset = error { try self.load(a).endpoint() }
        XCTAssertEqual(unset?.message, "no Kubernetes context chosen: \(a) sets no current-context")
        XCTAssertEqual(unset?.hint, "pass --context NAME (one of lab)")
    }

    func testAnUnknownContextIsNamedWithASuggestion() throws {
        let a = try dir.write("a", config("homelab", server: "https://a:6443", current: "homelab"))
        let e = error { try self.load(a).endpoint(context: "homelb") }
        XCTAssertEqual(e?.message, "context homelb is not defined in \(a)")
        XCTAssertEqual(e?.hint, "did you mean homelab?")
        let b = try dir.write("b", config("homelab", server: "https://a:6443", current: "gone"))
        let current = error { try self.load(b).endpoint() }
        XCTAssertEqual(current?.place, .field(file: b, path: "current-context"))
    }

    func testAContextWhoseClusterOrUserIsMissingNamesTheField() throws {
        let text = config("lab", server: "https://a:6443", current: "lab")
            .replacingOccurrences(of: "cluster: lab\n", with: "cluster: lob\n")
        let a = try dir.write("a", text)
        let e = error { try self.load(a).endpoint() }
        XCTAssertEqual(e?.message, "cluster lob was not found for context lab")
        XCTAssertEqual(e?.place, .field(file: a, path: "contexts[lab].context.cluster"))
        XCTAssertEqual(e?.hint, "did you mean lab?")
        let b = try dir.write(
            "b",
            config("lab", server: "https://a:6443", current: "lab").replacingOccurrences(
                of: "    user: lab\n", with: ""))
        XCTAssertEqual(error { try self.load(b).endpoint() }?.message, "user was not specified for context lab")
    }

    func testAClusterWithoutServerOrWithABadOneIsRefused() throws {
        let a = try dir.write(
            "a",
            config("lab", server: "https://a:6443", current: "lab").replacingOccurrences(
                of: "server: https://a:6443", with: "insecure-skip-tls-verify: false"))
        let e = error { try self.load(a).endpoint() }
        XCTAssertEqual(e?.message, "no server found for cluster lab (context lab)")
        XCTAssertEqual(e?.place, .field(file: a, path: "clusters[lab].cluster.server"))
        let b = try dir.write("b", config("lab", server: "ftp://a", current: "lab"))
        XCTAssertEqual(
            error { try self.load(b).endpoint() }?.message, "server ftp://a of cluster lab is not an http(s) URL")
        let c = try dir.write("c", config("lab", server: "https://a:6443/", current: "lab"))
        XCTAssertEqual(try load(c).endpoint().server, "https://a:6443", "a trailing slash is dropped")
    }

    func testTheNamespaceDefaultsToDefaultAndMustBeALabel() throws {
        let a = try dir.write("a", config("lab", server: "https://a:6443", current: "lab"))
        XCTAssertEqual(try load(a).endpoint().namespace, "default")
        let b = try dir.write(
            "b",
            config("lab", server: "https://a:6443", current: "lab").replacingOccurrences(
                of: "    user: lab\n", with: "    user: lab\n    namespace: flux-system\n"))
        XCTAssertEqual(try load(b).endpoint().namespace, "flux-system")
        let c = try dir.write(
            "c",
            config("lab", server: "https://a:6443", current: "lab").replacingOccurrences(
                of: "    user: lab\n", with: "    user: lab\n    namespace: Flux_System\n"))
        XCTAssertEqual(
            error { try self.load(c).endpoint() }?.place, .field(file: c, path: "contexts[lab].context.namespace"))
    }

    func testCertificateAuthorityDataIsDecodedAndAFileIsReadRelativeToItsKubeconfig() throws {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        let b64 = Data(pem.utf8).base64EncodedString()
        let inline = config("lab", server: "https://a:6443", current: "lab")
            .replacingOccurrences(
                of: "server: https://a:6443",
                with:
                    "server: https://a:6443\n    certificate-authority-data: \(b64)\n    tls-server-name: kubernetes\n    proxy-url: socks5://127.0.0.1:1080"
            )
        let endpoint = try load(try dir.write("a", inline)).endpoint()
        XCTAssertEqual(endpoint.tls.caPEM, Array(pem.utf8))
        XCTAssertEqual(endpoint.tls.serverName, "kubernetes")
        XCTAssertEqual(endpoint.proxy, "socks5://127.0.0.1:1080")
        XCTAssertFalse(endpoint.tls.insecure)

        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        _ = try dir.write("sub/ca.pem", pem)
        let relative = config("lab", server: "https://a:6443", current: "lab")
            .replacingOccurrences(
                of: "server: https://a:6443", with: "server: https://a:6443\n    certificate-authority: ca.pem")
        XCTAssertEqual(try load(try dir.write("sub/config", relative)).endpoint().tls.caPEM, Array(pem.utf8))
        let missing = relative.replacingOccurrences(of: "ca.pem", with: "gone.pem")
        let e = error { try self.load(try self.dir.write("sub/config2", missing)).endpoint() }
        XCTAssertEqual(
            e?.message, "cannot read \(dir.file("sub/gone.pem")), the certificate-authority the kubeconfig names")
        XCTAssertEqual(
            e?.place, .field(file: dir.file("sub/config2"), path: "clusters[lab].cluster.certificate-authority"))
    }

    func testInvalidBase64NamesTheField() throws {
        let text = config(
            "lab", server: "https://a:6443", current: "lab",
            user: "client-certificate-data: '%%%'\n    client-key-data: S0VZ")
        let a = try dir.write("a", text)
        let e = error { try self.load(a) }
        XCTAssertEqual(e?.message, "client-certificate-data is not valid base64")
        XCTAssertEqual(e?.place, .field(file: a, path: "users[lab].user.client-certificate-data"))
    }

    func testInsecureSkipTLSVerifyIsHonouredWithAWarningButNotWithACA() throws {
        let insecure = config("lab", server: "https://a:6443", current: "lab")
            .replacingOccurrences(
                of: "server: https://a:6443", with: "server: https://a:6443\n    insecure-skip-tls-verify: true")
        let endpoint = try load(try dir.write("a", insecure)).endpoint()
        XCTAssertTrue(endpoint.tls.insecure)
        XCTAssertEqual(endpoint.warnings.count, 1)
        XCTAssertTrue(endpoint.warnings[0].contains("insecure-skip-tls-verify"), endpoint.warnings[0])
        let both = insecure.replacingOccurrences(
            of: "insecure-skip-tls-verify: true",
            with: "insecure-skip-tls-verify: true\n    certificate-authority-data: Q0EK")
        let e = error { try self.load(try self.dir.write("b", both)).endpoint() }
        XCTAssertTrue(e?.message.contains("insecure flag is not allowed") ?? false, "\(String(describing: e))")
    }

    func testClientCertificateRulesAndTheFilesAndDataForms() throws {
        let certOnly = config(
            "lab", server: "https://a:6443", current: "lab", user: "client-certificate-data: Q0VSVAo=")
        XCTAssertEqual(
            error { try self.load(try self.dir.write("a", certOnly)).endpoint() }?.message,
            "user lab has a client certificate but no client-key or client-key-data")
        _ = try dir.write("cert.pem", "CERT\n")
        let both = config(
            "lab", server: "https://a:6443", current: "lab",
            user: "client-certificate-data: Q0VSVAo=\n    client-certificate: cert.pem\n    client-key-data: S0VZCg==")
        XCTAssertEqual(
            error { try self.load(try self.dir.write("b", both)).endpoint() }?.message,
            "client-certificate-data and client-certificate are both specified for user lab")
        _ = try dir.write("key.pem", "KEY\n")
        let files = config(
            "lab", server: "https://a:6443", current: "lab",
            user: "client-certificate: cert.pem\n    client-key: key.pem")
        let endpoint = try load(try dir.write("c", files)).endpoint()
        XCTAssertEqual(endpoint.tls.clientCertificate, .pem(Array("CERT\n".utf8)))
        XCTAssertEqual(endpoint.tls.clientKey, .pem(Array("KEY\n".utf8)))
    }

    func testTokenWinsOverTokenFileAndBasicWithATokenIsRefused() throws {
        let tokenAndFile = config(
            "lab", server: "https://a:6443", current: "lab", user: "token: t1\n    tokenFile: tok")
        _ = try dir.write("tok", "t2\n")
        guard case .token("t1") = try load(try dir.write("a", tokenAndFile)).endpoint().credential else {
            return XCTFail("token should win")
        }
        let fileOnly = config("lab", server: "https://a:6443", current: "lab", user: "tokenFile: tok")
        guard case .tokenFile(let path) = try load(try dir.write("b", fileOnly)).endpoint().credential else {
            return XCTFail("expected the token file")
        }
        XCTAssertEqual(path, dir.file("tok"))
        let twoMethods = config("lab", server: "https://a:6443", current: "lab", user: "token: t\n    username: u")
        XCTAssertEqual(
            error { try self.load(try self.dir.write("c", twoMethods)).endpoint() }?.message,
            "more than one authentication method found for user lab: token and basicAuth")
    }

    func testExecPluginsAreCheckedAsKubectlChecksThem() throws {
        func user(_ exec: String) -> String {
            "exec:\n" + exec.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        }
        let good = config(
            "lab", server: "https://a:6443", current: "lab",
            user: user(
                "apiVersion: client.authentication.k8s.io/v1\ncommand: ./bin/cred\nargs: [get, --x]\nenv:\n- {name: A, value: b}\ninteractiveMode: Never\nprovideClusterInfo: true"
            ))
        let endpoint = try load(try dir.write("a", good)).endpoint()
        guard case .exec(let exec, let cluster) = endpoint.credential else { return XCTFail("expected exec") }
        XCTAssertEqual(exec.command, dir.file("bin/cred"), "a command with a slash is relative to the kubeconfig")
        XCTAssertEqual(exec.args, ["get", "--x"])
        XCTAssertEqual(exec.env.map(\.name), ["A"])
        XCTAssertEqual(cluster?["server"], .string("https://a:6443"))
        let noMode = config(
            "lab", server: "https://a:6443", current: "lab",
            user: user("apiVersion: client.authentication.k8s.io/v1\ncommand: cred"))
        let e = error { try self.load(try self.dir.write("b", noMode)) }
        XCTAssertEqual(e?.message, "interactiveMode must be specified to use the exec credential plugin")
        XCTAssertEqual(e?.place, .field(file: dir.file("b"), path: "users[lab].user.exec.interactiveMode"))
        let oldVersion = config(
            "lab", server: "https://a:6443", current: "lab",
            user: user("apiVersion: client.authentication.k8s.io/v1alpha1\ncommand: cred"))
        XCTAssertEqual(
            error { try self.load(try self.dir.write("c", oldVersion)) }?.message,
            "exec plugin API version client.authentication.k8s.io/v1alpha1 is not supported")
    }

    func testANameTwiceInOneFileAndAWrongKindAreErrors() throws {
        let twice = """
            clusters:
            - name: a
              cluster: {server: "https://a"}
            - name: a
              cluster: {server: "https://b"}

            """
        let a = try dir.write("a", twice)
        let e = error { try self.load(a) }
        XCTAssertEqual(e?.message, "clusters names a twice")
        XCTAssertEqual(e?.place, .field(file: a, path: "clusters[1]"))
        let pod = try dir.write("b", "kind: Pod\napiVersion: v1\n")
        XCTAssertEqual(error { try self.load(pod) }?.message, "\(pod) is not a kubeconfig: kind is Pod, not Config")
        let empty = try dir.write("c", "")
        XCTAssertEqual(try load(empty).files, [empty], "an empty file is an empty config")
    }
}

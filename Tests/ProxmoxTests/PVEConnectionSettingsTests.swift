import Foundation
import HLSCore
import HLSTransport
import XCTest

@testable import Inventory
@testable import Proxmox

final class PVEConnectionSettingsTests: XCTestCase {
    static let token = "root@pam!hlsh=5e7e50b1-35b9-60b0-8c1a-3a5d7f1e2b40"

    func testEndpointsAsPeopleWriteThem() throws {
        for text in [
            "https://pve1.lan:8006/", "https://pve1.lan:8006", "https://pve1.lan:8006/api2/json",
            "https://pve1.lan:8006/api2/json/", "pve1.lan", "  https://PVE1.lan:8006/  ",
        ] {
            XCTAssertEqual(try PVEEndpoint(parsing: text).baseURL, "https://pve1.lan:8006/api2/json", text)
        }
        XCTAssertEqual(
            try PVEEndpoint(parsing: "https://proxy.lan/pve/").baseURL, "https://proxy.lan:443/pve/api2/json")
        XCTAssertEqual(try PVEEndpoint(parsing: "https://[fd00::2]:8006/").baseURL, "https://[fd00::2]:8006/api2/json")
        XCTAssertEqual(try PVEEndpoint(parsing: "http://127.0.0.1:18006/").description, "http://127.0.0.1:18006/")
        for bad in [
            "", "ftp://pve1", "https://root:pw@pve1:8006/", "https://pve1:99999/", "https://pve1:8006/?x=1",
            "https://:8006/",
        ] {
            XCTAssertThrowsError(try PVEEndpoint(parsing: bad), bad) { error in
                XCTAssertEqual((error as? HLSError)?.kind, .configuration)
                XCTAssertFalse((error as? HLSError)?.description.contains("pw@") ?? true)
            }
        }
    }

    func testTokensAndTheirSecretsNeverPrint() throws {
        let token = try PVEAPIToken(parsing: Self.token)
        XCTAssertEqual(token.user, "root@pam")
        XCTAssertEqual(token.tokenName, "hlsh")
        XCTAssertEqual(token.tokenID, "root@pam!hlsh")
        XCTAssertEqual(token.headerValue, "PVEAPIToken=\(Self.token)")
        XCTAssertEqual(try PVEAPIToken(parsing: "PVEAPIToken=\(Self.token)"), token)
        let settings = PVEConnectionSettings(endpoint: PVEEndpoint(host: "pve1"), credentials: .apiToken(token))
        for text in [
            "\(token)", String(reflecting: token), "\(settings)", "\(settings.credentials)",
            String(reflecting: settings),
            "\(token.secret)", dumped(token), dumped(settings),
        ] {
            XCTAssertFalse(text.contains("5e7e50b1"), text)
        }
        XCTAssertEqual("\(token.secret)", "***")
        let password = try PVEUserPassword(username: "root@pam", password: PVESecret("hunter2"))
        XCTAssertFalse(dumped(PVECredentials.password(password)).contains("hunter2"))
        XCTAssertFalse(String(reflecting: PVECredentials.password(password)).contains("hunter2"))
        for bad in ["root@pam=secret", "root@pam!hlsh", "rootpam!hlsh=secret", "root@pam!=secret", "root@pam!hlsh=a b"]
        {
            XCTAssertThrowsError(try PVEAPIToken(parsing: bad), bad) { error in
                XCTAssertEqual((error as? HLSError)?.kind, .configuration)
                XCTAssertFalse((error as? HLSError)?.description.contains("secret") ?? true)
            }
        }
    }

    private func dumped<T>(_ value: T) -> String {
        var out = ""
        dump(value, to: &out)
        return out
    }

    func testBpgVariables() throws {
        let settings = try PVEConnectionSettings.fromEnvironment([
            "PROXMOX_VE_ENDPOINT": "https://pve1.lan:8006/", "PROXMOX_VE_API_TOKEN": Self.token,
            "HLSH_PVE_CA_FILE": "/etc/hlsh/pve-root-ca.pem", "HLSH_PVE_PUBLIC_KEY_PIN": "sha256//AAAA",
        ])
        XCTAssertEqual(settings.endpoint.baseURL, "https://pve1.lan:8006/api2/json")
        XCTAssertEqual(settings.credentials, .apiToken(try PVEAPIToken(parsing: Self.token)))
        XCTAssertEqual(settings.tls.caFile, "/etc/hlsh/pve-root-ca.pem")
        XCTAssertEqual(settings.tls.pinnedPublicKey, "sha256//AAAA")
        XCTAssertFalse(settings.tls.insecure)
        XCTAssertTrue(settings.warnings.isEmpty)

        let login = try PVEConnectionSettings.fromEnvironment([
            "PROXMOX_VE_ENDPOINT": "pve1.lan", "PROXMOX_VE_USERNAME": "root@pam", "PROXMOX_VE_PASSWORD": "pw",
            "PROXMOX_VE_INSECURE": "1",
        ])
        guard case .password(let user) = login.credentials else { return XCTFail("expected a password login") }
        XCTAssertEqual(user.username, "root@pam")
        XCTAssertTrue(login.tls.insecure)
        XCTAssertEqual(login.warnings.count, 1)
        XCTAssertTrue(
            try PVEConnectionSettings.fromEnvironment([
                "PROXMOX_VE_ENDPOINT": "pve1", "PROXMOX_VE_API_TOKEN": Self.token, "PROXMOX_VE_INSECURE": "true",
            ]).tls.insecure)
    }

    func testTheInventoryFillsWhatTheEnvironmentLeavesEmpty() throws {
        let lab = ProxmoxSettings(
            endpoint: "https://pve1.home.arpa:8006/", nodes: ["pve1"], caFile: "certs/pve-root-ca.pem",
            fingerprint: nil,
            insecure: true, tokenEnv: "HOMELAB_PVE_TOKEN")
        let fromLab = try PVEConnectionSettings.fromEnvironment(["HOMELAB_PVE_TOKEN": Self.token], lab: lab)
        XCTAssertEqual(fromLab.endpoint.host, "pve1.home.arpa")
        XCTAssertEqual(fromLab.tls.caFile, "certs/pve-root-ca.pem")
        XCTAssertTrue(fromLab.tls.insecure)
        XCTAssertEqual(fromLab.credentials, .apiToken(try PVEAPIToken(parsing: Self.token)))

        let envWins = try PVEConnectionSettings.fromEnvironment(
            [
                "PROXMOX_VE_ENDPOINT": "https://10.0.0.2:8006/", "PROXMOX_VE_API_TOKEN": "ci@pve!deploy=other",
                "HOMELAB_PVE_TOKEN": Self.token, "HLSH_PVE_CA_FILE": "/ca.pem", "PROXMOX_VE_INSECURE": "false",
            ], lab: lab)
        XCTAssertEqual(envWins.endpoint.host, "10.0.0.2")
        XCTAssertEqual(envWins.credentials, .apiToken(try PVEAPIToken(parsing: "ci@pve!deploy=other")))
        XCTAssertEqual(envWins.tls.caFile, "/ca.pem")
        XCTAssertFalse(envWins.tls.insecure)
    }

    /// The example inventory's `ca_file: ~/.config/hlsh/pve-root-ca.pem` is under the user's home
    /// directory, as a shell would read it (curl itself takes `~` literally).
    func testATildeInTheCAFileIsTheHomeDirectory() throws {
        let lab = ProxmoxSettings(
            endpoint: "https://pve1.home.arpa:8006/", nodes: ["pve1"], caFile: "~/.config/hlsh/pve-root-ca.pem",
            fingerprint: nil, insecure: false, tokenEnv: "")
        let env = ["PROXMOX_VE_API_TOKEN": Self.token, "HOME": "/home/ada"]
        XCTAssertEqual(
            try PVEConnectionSettings.fromEnvironment(env, lab: lab).tls.caFile,
            "/home/ada/.config/hlsh/pve-root-ca.pem")
        var fromVariable = env
        fromVariable["HLSH_PVE_CA_FILE"] = "~/ca.pem"
        XCTAssertEqual(try PVEConnectionSettings.fromEnvironment(fromVariable, lab: lab).tls.caFile, "/home/ada/ca.pem")
        XCTAssertEqual(FilePaths.expandingHome("~other/x", environment: env), "~other/x")
        XCTAssertEqual(FilePaths.expandingHome("a/~/x", environment: env), "a/~/x")
    }

    static let fingerprint = (0..<32).map { String(format: "%02X", 255 - $0) }.joined(separator: ":")

    func testTheCertificateFingerprintComesFromTheEnvironmentElseTheInventory() throws {
        let fromEnv = try PVEConnectionSettings.fromEnvironment([
            "PROXMOX_VE_ENDPOINT": "https://pve1.lan:8006/", "PROXMOX_VE_API_TOKEN": Self.token,
            "HLSH_PVE_FINGERPRINT": Self.fingerprint.lowercased().replacingOccurrences(of: ":", with: ""),
        ])
        XCTAssertEqual(fromEnv.tls.certificateFingerprint?.description, Self.fingerprint)
        XCTAssertNil(fromEnv.tls.caFile)
        XCTAssertFalse(fromEnv.tls.verifiesPeer, "a fingerprint without a CA checks neither chain nor name")
        XCTAssertTrue(fromEnv.warnings.isEmpty, "pinning is not insecure")
        XCTAssertTrue(fromEnv.description.contains("certificate fingerprint \(Self.fingerprint)"), fromEnv.description)

        let labPin = try CertificateFingerprint(parsing: Self.fingerprint, setting: "proxmox.fingerprint")
        let lab = ProxmoxSettings(
            endpoint: "https://pve1.home.arpa:8006/", nodes: ["pve1"], caFile: nil, fingerprint: labPin,
            insecure: false, tokenEnv: "PROXMOX_VE_API_TOKEN")
        let fromLab = try PVEConnectionSettings.fromEnvironment(["PROXMOX_VE_API_TOKEN": Self.token], lab: lab)
        XCTAssertEqual(fromLab.tls.certificateFingerprint, labPin)

        let other = String(repeating: "ab", count: 32)
        let envWins = try PVEConnectionSettings.fromEnvironment(
            ["PROXMOX_VE_API_TOKEN": Self.token, "HLSH_PVE_FINGERPRINT": other], lab: lab)
        XCTAssertEqual(envWins.tls.certificateFingerprint?.bytes, [UInt8](repeating: 0xAB, count: 32))

        XCTAssertThrowsError(
            try PVEConnectionSettings.fromEnvironment([
                "PROXMOX_VE_ENDPOINT": "pve1", "PROXMOX_VE_API_TOKEN": Self.token, "HLSH_PVE_FINGERPRINT": "AA:BB:ZZ",
            ])
        ) { error in
            let error = error as! HLSError
            XCTAssertEqual(error.kind, .configuration)
            XCTAssertTrue(error.message.contains("HLSH_PVE_FINGERPRINT"), error.description)
            XCTAssertTrue(error.hint?.contains("pvenode cert info") ?? false, error.description)
        }
    }

    func testMissingSettingsNameTheVariables() {
        XCTAssertThrowsError(try PVEConnectionSettings.fromEnvironment(["PROXMOX_VE_API_TOKEN": Self.token])) { error in
            let error = error as! HLSError
            XCTAssertEqual(error.kind, .configuration)
            XCTAssertTrue(error.description.contains("PROXMOX_VE_ENDPOINT"), error.description)
        }
        XCTAssertThrowsError(try PVEConnectionSettings.fromEnvironment(["PROXMOX_VE_ENDPOINT": "https://pve1:8006/"])) {
            error in
            let error = error as! HLSError
            XCTAssertEqual(error.kind, .configuration)
            for name in ["PROXMOX_VE_API_TOKEN", "PROXMOX_VE_USERNAME", "PROXMOX_VE_PASSWORD"] {
                XCTAssertTrue(error.description.contains(name), error.description)
            }
        }
        XCTAssertThrowsError(
            try PVEConnectionSettings.fromEnvironment([
                "PROXMOX_VE_ENDPOINT": "pve1", "PROXMOX_VE_USERNAME": "root@pam",
            ])
        ) { error in
            XCTAssertTrue((error as! HLSError).description.contains("PROXMOX_VE_PASSWORD"))
        }
        XCTAssertThrowsError(
            try PVEConnectionSettings.fromEnvironment([
                "PROXMOX_VE_ENDPOINT": "pve1", "PROXMOX_VE_USERNAME": "root", "PROXMOX_VE_PASSWORD": "pw",
            ])
        ) { error in
            XCTAssertTrue((error as! HLSError).message.contains("root@pam"))
        }
        XCTAssertThrowsError(
            try PVEConnectionSettings.fromEnvironment([
                "PROXMOX_VE_ENDPOINT": "pve1", "PROXMOX_VE_API_TOKEN": Self.token, "PROXMOX_VE_INSECURE": "maybe",
            ])
        ) { error in
            XCTAssertEqual((error as! HLSError).kind, .configuration)
        }
    }

    /// A plain-http endpoint would carry the token in clear text: refused, naming where it came
    /// from and how to insist; allowed (with a warning) by `HLSH_PVE_ALLOW_HTTP` or the
    /// inventory's `proxmox.allow_http`.
    func testAPlainHTTPEndpointIsRefusedUnlessTheUserInsists() throws {
        let env = ["PROXMOX_VE_ENDPOINT": "http://pve1.lan:8006/", "PROXMOX_VE_API_TOKEN": Self.token]
        XCTAssertThrowsError(try PVEConnectionSettings.fromEnvironment(env)) { error in
            let error = error as! HLSError
            XCTAssertEqual(error.kind, .configuration)
            XCTAssertTrue(error.message.contains("PROXMOX_VE_ENDPOINT"), error.description)
            XCTAssertTrue(error.message.contains("clear text"), error.description)
            XCTAssertTrue(error.hint?.contains("HLSH_PVE_ALLOW_HTTP=1") ?? false, error.description)
            XCTAssertTrue(error.hint?.contains("proxmox.allow_http: true") ?? false, error.description)
        }
        var allowed = env
        allowed["HLSH_PVE_ALLOW_HTTP"] = "1"
        let insisted = try PVEConnectionSettings.fromEnvironment(allowed)
        XCTAssertEqual(insisted.endpoint.baseURL, "http://pve1.lan:8006/api2/json")
        XCTAssertTrue(insisted.warnings.contains { $0.contains("plain http") }, "\(insisted.warnings)")
        XCTAssertTrue(
            try PVEConnectionSettings.fromEnvironment(
                env.merging(["PROXMOX_VE_ENDPOINT": "https://pve1.lan:8006/"]) { $1 }
            ).warnings.isEmpty)

        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/homelab.yaml").path
        let text = try String(contentsOfFile: shipped, encoding: .utf8).replacingOccurrences(
            of: "  endpoint: https://", with: "  endpoint: http://")
        let lab = try Lab.parse(text, file: "lab.yaml").proxmox
        XCTAssertThrowsError(try PVEConnectionSettings.fromEnvironment(["PROXMOX_VE_API_TOKEN": Self.token], lab: lab))
        {
            error in
            let error = error as! HLSError
            XCTAssertEqual(error.place?.description, "lab.yaml:7:13")
            XCTAssertTrue(error.message.contains("proxmox.endpoint"), error.description)
        }
        let labAllows = try Lab.parse(
            text.replacingOccurrences(of: "  nodes: [pve1, pve2]", with: "  allow_http: true\n  nodes: [pve1, pve2]"),
            file: "lab.yaml"
        ).proxmox
        XCTAssertTrue(labAllows.allowHTTP)
        let fromLab = try PVEConnectionSettings.fromEnvironment(["PROXMOX_VE_API_TOKEN": Self.token], lab: labAllows)
        XCTAssertTrue(fromLab.warnings.contains { $0.contains("plain http") }, "\(fromLab.warnings)")
        XCTAssertThrowsError(
            try PVEConnectionSettings.fromEnvironment(
                ["PROXMOX_VE_API_TOKEN": Self.token, "HLSH_PVE_ALLOW_HTTP": "0"], lab: labAllows),
            "a set variable wins over the inventory")
    }
}

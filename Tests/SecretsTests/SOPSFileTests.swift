import Foundation
import HLSCore
import HLSFormats
import TestSupport
import XCTest

@testable import Secrets

/// SOPS files as sops 3.9 and Flux read them: only the selected values encrypted, typed, bound
/// to their path; the data key an age file the `age` program opens; the MAC over every value.
final class SOPSFileTests: XCTestCase {
    let secret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: cloudflare-api-token
          namespace: cert-manager
        type: Opaque
        stringData:
          api-token: s3cr3t-t0ken
          port: 5432
          ratio: 0.25
          enabled: true
          quoted: "5432"
          list: [a, b]
          empty: ""
        """

    func encrypted(_ identity: AgeIdentity) throws -> [Document] {
        try SOPSFile.encrypt(
            try YAMLCodec.decodeAll(secret), to: [identity.recipient], selection: .kubernetesSecret,
            lastModified: "2026-12-05T21:00:00Z")
    }

    func testOnlyDataAndStringDataAreEncryptedAndEverythingComesBackWithItsType() throws {
        let identity = AgeIdentity.generate()
        let documents = try encrypted(identity)
        let document = try XCTUnwrap(documents.first)
        XCTAssertTrue(SOPSFile.isEncrypted(document))
        XCTAssertEqual(document["metadata"]?["name"], .string("cloudflare-api-token"))
        XCTAssertEqual(document["kind"], .string("Secret"))
        guard case .string(let token) = document["stringData"]?["api-token"] ?? .null else { return XCTFail() }
        XCTAssertTrue(token.hasPrefix("ENC[AES256_GCM,data:"), token)
        XCTAssertTrue(token.hasSuffix(",type:str]"), token)
        guard case .string(let port) = document["stringData"]?["port"] ?? .null else { return XCTFail() }
        XCTAssertTrue(port.hasSuffix(",type:int]"), port)
        XCTAssertEqual(document["stringData"]?["empty"], .string(""), "sops leaves empty strings alone")
        let text = YAMLCodec.encode(document)
        XCTAssertFalse(text.contains("s3cr3t"), text)
        XCTAssertEqual(document["sops"]?["encrypted_regex"], .string("^(data|stringData)$"))
        XCTAssertEqual(document["sops"]?["version"], .string("3.9.4"))

        // Through YAML text and back, as a file would go.
        let reread = try YAMLCodec.decodeAll(text)
        let plain = try SOPSFile.decrypt(reread, identities: [AgeIdentity.generate(), identity])
        XCTAssertEqual(plain, try YAMLCodec.decodeAll(secret))
    }

    func testTheDataKeyIsAnAgeFileTheAgeProgramOpens() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/age") else { throw XCTSkip("age not installed") }
        let dir = try TemporaryDirectory("sops")
        let identity = AgeIdentity.generate()
        try identity.keygenFile(created: "2026-12-05T21:00:00Z").write(
            toFile: dir.file("key.txt"), atomically: true, encoding: .utf8)
        let document = try XCTUnwrap(try encrypted(identity).first)
        guard case .string(let enc) = document["sops"]?["age"]?.items.first?["enc"] ?? .null else { return XCTFail() }
        try enc.write(toFile: dir.file("enc.txt"), atomically: true, encoding: .utf8)
        let result = try runProcess(
            "/usr/bin/age", ["-d", "-i", dir.file("key.txt"), "-o", dir.file("key.bin"), dir.file("enc.txt")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("key.bin"))).count, 32)
    }

    func testAChangedPlainValueFailsTheMACAndAMovedSecretFailsItsPath() throws {
        let identity = AgeIdentity.generate()
        var document = try XCTUnwrap(try encrypted(identity).first)
        var renamed = document
        renamed.set(["metadata", "name"], .string("other"))
        XCTAssertThrowsError(try SOPSFile.decrypt([renamed], identities: [identity])) { error in
            XCTAssertTrue((error as? HLSError)?.message.hasPrefix("MAC mismatch") == true, "\(error)")
        }
        // Flux decrypts without the MAC check: the renamed file still opens.
        XCTAssertNoThrow(try SOPSFile.decrypt([renamed], identities: [identity], checkMAC: false))
        let token = try XCTUnwrap(document["stringData"]?["api-token"])
        document.set(["stringData", "other-token"], token)
        XCTAssertThrowsError(try SOPSFile.decrypt([document], identities: [identity], checkMAC: false)) { error in
            XCTAssertEqual(
                (error as? HLSError)?.message,
                "cannot decrypt the value at stringData.other-token: it was changed or moved")
        }
        XCTAssertThrowsError(try SOPSFile.decrypt([document], identities: [AgeIdentity.generate()])) { error in
            XCTAssertEqual((error as? HLSError)?.message, "no age identity opens the file's data key")
        }
    }

    func testPlaintextValuesAreThoseTheSelectionEncryptsThatAreNoEncValues() throws {
        let identity = AgeIdentity.generate()
        let secret = try YAMLCodec.decode("kind: Secret\nmetadata: {name: t}\nstringData: {a: x, b: y}\n")
        XCTAssertEqual(
            try SOPSFile.plaintextValues(secret, selection: .kubernetesSecret),
            [["stringData", "a"], ["stringData", "b"]])
        let encrypted = try SOPSFile.encrypt(
            [secret], to: [identity.recipient], selection: .kubernetesSecret, lastModified: "2026-01-01T00:00:00Z")[0]
        XCTAssertEqual(try SOPSFile.plaintextValues(encrypted, selection: .kubernetesSecret), [])
        // b put back in plaintext by hand.
        guard case .object(var top) = encrypted, let index = top.firstIndex(where: { $0.key == "stringData" }),
            case .object(var data) = top[index].value
        else { return XCTFail("\(encrypted)") }
        data[1].value = .string("y")
        top[index].value = .object(data)
        XCTAssertEqual(try SOPSFile.plaintextValues(.object(top), selection: .kubernetesSecret), [["stringData", "b"]])
    }

    func testARuleMatchesByPathRegexAndNoMatchIsNilForMatchingRuleButAnErrorForRule() throws {
        let dir = try TemporaryDirectory("sops-config")
        try dir.write(
            ".sops.yaml", "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^data$\n")
        let covered = try dir.write("secrets/a.yaml", "")
        let other = try dir.write("other/a.yaml", "")
        XCTAssertEqual(
            try SOPSConfig.matchingRule(for: covered)?.selection, SOPSFile.Selection(.encryptedRegex, "^data$"))
        XCTAssertNil(try SOPSConfig.matchingRule(for: other))
        XCTAssertThrowsError(try SOPSConfig.rule(for: other))
        XCTAssertNil(try SOPSConfig.matchingRule(for: "/nonexistent-hlsh-dir/a.yaml"))
    }

    func testFloatsAreWrittenAsGoWritesThem() {
        XCTAssertEqual(SOPSFile.goFloat(0.25), "0.25")
        XCTAssertEqual(SOPSFile.goFloat(1e21), "1000000000000000000000")
        XCTAssertEqual(SOPSFile.goFloat(3.0), "3")
        XCTAssertEqual(SOPSFile.goFloat(1.5e-7), "0.00000015")
        XCTAssertEqual(SOPSFile.goFloat(-2.5e3), "-2500")
    }
}

extension Document {
    fileprivate var items: [Document] {
        if case .array(let items) = self { return items }
        return []
    }

    fileprivate mutating func set(_ path: [String], _ value: Document) {
        guard let first = path.first, case .object(var pairs) = self else { return }
        var child = pairs.first { $0.key == first }?.value ?? .object([])
        if path.count == 1 { child = value } else { child.set(Array(path.dropFirst()), value) }
        if let index = pairs.firstIndex(where: { $0.key == first }) {
            pairs[index].value = child
        } else {
            pairs.append((first, child))
        }
        self = .object(pairs)
    }
}

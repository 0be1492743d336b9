import HLSCore
import HLSFormats
import XCTest

@testable import LabSim

/// SOPS decryption as kustomize-controller does it, on a file real sops 3.9.0 wrote (Flux's own
/// test data: internal/controller/testdata/sops/algorithms/age.yaml and keys/age.txt), whose data
/// key, values and MAC were worked out independently (shared/reference/sops-age-formats.md §4).
final class SimulatedSOPSTests: XCTestCase {
    static let key = """
        # created: 2021-03-31T09:51:59+02:00
        # public key: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29
        AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM

        """
    static let otherKey = "AGE-SECRET-KEY-1S37SCKKR0HHNFUX358FAP7KLYYG5TDXQQFLXDVFNQ02H5W6RMXWSQNXLYZ\n"
    static let recipient = "age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29"
    static let mac =
        "5E6C78D06EF2D302C2DBC6DE95E8050A5DC5D24A5EE3F394BEC133BC432257EAD15A476AE609FE74379E7120853F13A1B080772BE5F162AD6945A25113B48862"

    static let manifest = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: age
        stringData:
          key: ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]
        sops:
          kms: []
          gcp_kms: []
          azure_kv: []
          hc_vault: []
          age:
            - recipient: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29
              enc: |
                -----BEGIN AGE ENCRYPTED FILE-----
                YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBZeHVSdjJoY3ZSQjJzbk1q
                ZXFxMWJ5amkrN1VXeHI4QzQ5OHcwVGxDem1zCm8wQVEzNEUrOUhtRUFkVnFUY0tN
                aFgwaHNrWmVWY1RGWXI2YlpYbUhYMGMKLS0tIDBFSXo3cjRCMngvTXpldzhMRlVp
                TXk2d2ExSVZYNDVTV0xwVlZnQnpScG8KVpjffjtRTA7Z4Wf/l1VMLjcl16hOrRUv
                LKiZDcq+nqKDUI7owZ+xNs2w5SrQjEWVhDXRSeSSRiJrK/bCYKzRxA==
                -----END AGE ENCRYPTED FILE-----
          lastmodified: "2024-11-12T13:33:42Z"
          mac: ENC[AES256_GCM,data:vmrF+VgW3o8z4h/DOStCUNudz68yHEC8Mws+LPoKpM3Xc7GM0Z1CfX0TKwdLLjMuvyWa2Nx2NIxm0+MCbmR8+y2izn0hHPSWhNVCWSK+iW48M05vXhDCV0xNkqM7g0kLhQ3PiSrB69loQj8C590HIfEViEtyDCFUeynDgcC289Q=,iv:u5lhmtXMxyt+3Pw09wWvgBhmKLoOSpKNWUpu/LuCr3Y=,tag:Dg0HFdLgQltzPgnEmltAzQ==,type:str]
          pgp: []
          encrypted_regex: ^(data|stringData)$
          version: 3.9.0

        """

    private func document(_ text: String = manifest) throws -> Document { try YAMLCodec.decode(text) }

    private func failure(_ body: () throws -> Document) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? SimulatedSOPS.Failure)?.message ?? "\(error)"
        }
    }

    func testSopsWrittenSecretDecryptsWithItsMACAndLosesTheSopsBlock() throws {
        let encrypted = try document()
        XCTAssertTrue(SimulatedSOPS.isEncrypted(encrypted))
        let plain = try SimulatedSOPS.decrypt(encrypted, ageKeys: [Self.key], checkMAC: true)
        XCTAssertEqual(
            plain,
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Secret")),
                ("metadata", .object([("name", .string("age"))])),
                ("stringData", .object([("key", .string("value"))])),
            ]))
        XCTAssertFalse(SimulatedSOPS.isEncrypted(plain))
    }

    func testTheDataKeyIsTheOneTheReferenceWorkedOut() throws {
        let metadata = try SOPSMetadata(try document()["sops"]!)
        // The reference's worked layout: 32 bytes to one X25519 recipient make a 232-byte file,
        // 385 bytes armored, whose first line starts with the intro and `-> X25519 `.
        let enc = metadata.ageKeys[0].enc
        XCTAssertEqual(enc.utf8.count, 385)
        XCTAssertTrue(enc.contains("\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOS"))
        XCTAssertEqual(try AgeFile.dearmor(Array(enc.utf8)).count, 232)
        let dataKey = try AgeFile.decrypt(
            Array(metadata.ageKeys[0].enc.utf8), identities: try AgeIdentity.parseFile(Self.key))
        XCTAssertEqual(dataKey.count, 32)
        XCTAssertEqual(Array(dataKey.prefix(6)), [0x55, 0x8e, 0x95, 0xc8, 0x83, 0x37])
        let mac = try SOPSValue(metadata.mac).open(key: dataKey, aad: metadata.macAAD)
        XCTAssertEqual(String(decoding: mac, as: UTF8.self), Self.mac)
    }

    func testTheWrongKeyIsRefusedWithTheControllersMessage() throws {
        let message = failure { try SimulatedSOPS.decrypt(try document(), ageKeys: [Self.otherKey]) }
        XCTAssertEqual(
            message,
            """
            decryption failed for 'Secret.v1.[noGrp]/age': failed to decrypt and format '/age' Secret data: \
            cannot get sops data key: Failed to get the data key required to decrypt the SOPS file.

            Group 0: FAILED
              \(Self.recipient): FAILED
                - | failed to create reader for decrypting sops data key with
                  | age: no identity matched any of the recipients

            Recovery failed because no master key was able to decrypt the file. In
            order for SOPS to recover the file, at least one key has to be successful,
            but none were.
            """)
    }

    func testAMissingKeyIsRefusedWithWhereSopsLooked() throws {
        let message = failure { try SimulatedSOPS.decrypt(try document(), ageKeys: []) } ?? ""
        XCTAssertTrue(message.contains("cannot get sops data key: Failed to get the data key"), message)
        XCTAssertTrue(message.contains("    - | failed to load age identities. Did not find keys in"), message)
        XCTAssertTrue(message.contains("'/.config/sops/age/keys.txt'."), message)
    }

    func testATamperedValueFailsTheMACOnlyWhenTheCheckIsOn() throws {
        let tampered = try document(Self.manifest.replacingOccurrences(of: "name: age", with: "name: agx"))
        // kustomize-controller leaves the MAC unchecked by default, so this still decrypts.
        XCTAssertEqual(try SimulatedSOPS.decrypt(tampered, ageKeys: [Self.key]).text("stringData", "key"), "value")
        let message = failure { try SimulatedSOPS.decrypt(tampered, ageKeys: [Self.key], checkMAC: true) }
        XCTAssertEqual(
            message?.hasPrefix(
                "decryption failed for 'Secret.v1.[noGrp]/agx': failed to decrypt and format '/agx' Secret data: "
                    + "failed to verify sops data integrity: expected mac '\(Self.mac)', got '"),
            true, message ?? "no failure")
        XCTAssertEqual(message?.contains("got '\(Self.mac)'"), false)

        // A ciphertext changed under the same path fails its GCM tag whatever the MAC setting.
        let forged = try document(Self.manifest.replacingOccurrences(of: "data:mHeXsmQ=", with: "data:mHeXsmA="))
        XCTAssertEqual(
            failure { try SimulatedSOPS.decrypt(forged, ageKeys: [Self.key]) }?.hasSuffix(
                "error decrypting sops tree: Error walking tree: Could not decrypt value: "
                    + "Could not decrypt with AES_GCM: cipher: message authentication failed"),
            true)
    }

    func testTheValueIsBoundToItsPath() throws {
        // The same ENC value moved under another key no longer authenticates (AAD `stringData:other:`).
        let moved = try document(Self.manifest.replacingOccurrences(of: "  key: ENC", with: "  other: ENC"))
        XCTAssertNotNil(failure { try SimulatedSOPS.decrypt(moved, ageKeys: [Self.key]) })
    }

    func testKeysComeFromTheSecretsAgekeyEntries() throws {
        let secret = Document.object([
            ("metadata", .object([("name", .string("sops-age")), ("namespace", .string("flux-system"))])),
            (
                "data",
                .object([
                    ("age.agekey", .string(Data(Self.key.utf8).base64EncodedString())),
                    ("README", .string(Data("not a key".utf8).base64EncodedString())),
                ])
            ),
        ])
        XCTAssertEqual(try SimulatedSOPS.importAgeKeys(from: secret), [Self.key])
        var broken = secret
        broken.set(["data", "age.agekey"], .string(Data("AGE-SECRET-KEY-1XYZ\n".utf8).base64EncodedString()))
        XCTAssertThrowsError(try SimulatedSOPS.importAgeKeys(from: broken)) {
            XCTAssertEqual(
                ($0 as? SimulatedSOPS.Failure)?.message,
                "failed to import 'age.agekey' data from sops decryption Secret 'flux-system/sops-age': "
                    + "failed to parse and add to age identities: error at line 1: malformed secret key: invalid bech32"
            )
        }
    }

    func testGoFloatRendering() {
        XCTAssertEqual(SOPSValue.goFloat(1e21), "1000000000000000000000")
        XCTAssertEqual(SOPSValue.goFloat(0.00001), "0.00001")
        XCTAssertEqual(SOPSValue.goFloat(-2.5), "-2.5")
        XCTAssertEqual(SOPSValue.goFloat(3), "3")
    }
}

import Foundation
import HLSCore
import HLSLanguage
import TestSupport
import XCTest

/// `secret` from a script: a key file made once (0600, never overwritten), a Secret encrypted by
/// the rule of its .sops.yaml (only stringData, no plaintext left, a second run no change, a dry
/// run no write) and decrypted back with the key, and a missing key named as such.
final class SecretCommandsTests: XCTestCase {
    func testKeygenEncryptAndDecryptRoundTripThroughTheSOPSRule() throws {
        let dir = try TemporaryDirectory("secret")
        let env = ["HOME": dir.path, "PATH": "/usr/bin:/bin"]
        let key = dir.file("age.agekey")
        var run = runInProcess(#"secret age-keygen --file "\#(key)" -o json"#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        var attributes = try FileManager.default.attributesOfItem(atPath: key)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let keyText = try String(contentsOfFile: key, encoding: .utf8)
        let recipient = try XCTUnwrap(keyText.split(separator: "\n").first { $0.hasPrefix("# public key: ") })
            .dropFirst("# public key: ".count)
        XCTAssertTrue(run.out.contains(String(recipient)), run.out)
        XCTAssertFalse(run.out.contains("AGE-SECRET-KEY"), "the key never reaches a result: \(run.out)")
        run = runInProcess(#"secret age-keygen --file "\#(key)""#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("exists"), run.out)
        XCTAssertEqual(try String(contentsOfFile: key, encoding: .utf8), keyText, "never overwritten")

        try """
        creation_rules:
          - path_regex: secrets/.*\\.yaml$
            encrypted_regex: ^(data|stringData)$
            age: \(recipient)
        """.write(toFile: dir.file(".sops.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir.file("secrets"), withIntermediateDirectories: true)
        let plain = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: token
              namespace: cert-manager
            stringData:
              api-token: s3cr3t-t0ken

            """
        let file = dir.file("secrets/token.yaml")
        try plain.write(toFile: file, atomically: true, encoding: .utf8)
        var dryRun = RunOptions()
        dryRun.dryRun = true
        run = runInProcess(#"secret encrypt "\#(file)""#, environment: env, options: dryRun)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), plain, "a dry run writes nothing")
        run = runInProcess(#"secret encrypt "\#(file)""#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        let encrypted = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertFalse(encrypted.contains("s3cr3t"), encrypted)
        XCTAssertTrue(encrypted.contains("name: token"), "metadata stays plain for Flux: \(encrypted)")
        XCTAssertTrue(encrypted.contains("encrypted_regex: ^(data|stringData)$"), encrypted)
        attributes = try FileManager.default.attributesOfItem(atPath: file)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        run = runInProcess(#"secret encrypt "\#(file)""#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), encrypted, "already encrypted: no change")

        let out = dir.file("plain.yaml")
        run = runInProcess(#"secret decrypt "\#(file)" --key-file "\#(key)" --to "\#(out)""#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertFalse(run.out.contains("s3cr3t"), "the plaintext is in the file only: \(run.out)")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), plain)
        // sops's default key file is read when nothing else names one.
        try FileManager.default.createDirectory(
            atPath: dir.file(".config/sops/age"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: key, toPath: dir.file(".config/sops/age/keys.txt"))
        run = runInProcess(#"secret decrypt "\#(file)""#, environment: env)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out, plain, "standard output is the plaintext alone, as `sops -d` writes it")

        run = runInProcess(#"secret decrypt "\#(file)""#, environment: ["HOME": dir.file("nowhere")])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.err.contains("no age key to decrypt with"), run.err)
    }
}

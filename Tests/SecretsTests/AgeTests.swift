import Foundation
import HLSCore
import TestSupport
import XCTest

@testable import Secrets

/// age as the `age` program (Debian's age 1.1.1) writes and reads it: keys it agrees with, files
/// it decrypts (binary and armored, at every chunk boundary), files of its we decrypt, and the
/// refusals for a wrong key or a tampered header.
final class AgeTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory("age")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/age") else {
            throw XCTSkip("the age program is not installed (apt-get install age; scripts/test installs it)")
        }
    }

    /// A fresh identity written as age-keygen writes it; returns it and the file's path.
    func identityFile() throws -> (AgeIdentity, String) {
        let identity = AgeIdentity.generate()
        let path = dir.file("key-\(UUID().uuidString).txt")
        try identity.keygenFile(created: "2026-12-05T21:00:00Z").write(toFile: path, atomically: true, encoding: .utf8)
        return (identity, path)
    }

    func testOurRecipientIsTheOneAgeKeygenDerivesAndTheKeyTextRoundTrips() throws {
        let (identity, path) = try identityFile()
        let derived = try runProcess("/usr/bin/age-keygen", ["-y", path])
        XCTAssertEqual(derived.status, 0, derived.stderr)
        XCTAssertEqual(derived.stdout.trimmingCharacters(in: .whitespacesAndNewlines), identity.recipient.text)
        XCTAssertEqual(try AgeIdentity(parsing: identity.text).recipient, identity.recipient)
        XCTAssertEqual(try AgeRecipient(parsing: identity.recipient.text), identity.recipient)
        XCTAssertTrue(identity.text.hasPrefix("AGE-SECRET-KEY-1"))
        XCTAssertEqual(identity.text.count, 74)
        XCTAssertEqual(identity.recipient.text.count, 62)
        // Case matters, and a flipped character breaks the checksum.
        XCTAssertThrowsError(try AgeIdentity(parsing: identity.text.lowercased()))
        XCTAssertThrowsError(try AgeRecipient(parsing: identity.recipient.text.uppercased()))
        var broken = Array(identity.recipient.text)
        broken[10] = broken[10] == "q" ? "p" : "q"
        XCTAssertThrowsError(try AgeRecipient(parsing: String(broken)))
    }

    func testAgeDecryptsWhatWeEncryptAtEveryChunkBoundaryBinaryAndArmored() throws {
        let (identity, path) = try identityFile()
        for size in [0, 1, 32, 65_535, 65_536, 65_537, 196_608] {
            let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            for armor in [false, true] {
                let file = dir.file("out-\(size)-\(armor).age")
                let encrypted = try AgeFile.encrypt(plaintext, to: [identity.recipient], armor: armor)
                try Data(encrypted).write(to: URL(fileURLWithPath: file))
                let out = dir.file("plain-\(size)-\(armor)")
                let result = try runProcess("/usr/bin/age", ["-d", "-i", path, "-o", out, file])
                XCTAssertEqual(result.status, 0, "size \(size) armor \(armor): \(result.stderr)")
                // age writes no file for an empty plaintext.
                let written = (try? Data(contentsOf: URL(fileURLWithPath: out))).map(Array.init) ?? []
                XCTAssertEqual(written, plaintext, "size \(size)")
                if armor && size == 32 {
                    let text = String(decoding: encrypted, as: UTF8.self)
                    XCTAssertTrue(
                        text.split(separator: "\n")[1].hasPrefix("YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOS"))
                    XCTAssertEqual(encrypted.count, 385, "a 32-byte data key armors into 385 bytes")
                }
            }
        }
    }

    func testWeDecryptWhatAgeEncryptsToSeveralRecipients() throws {
        let (identity, _) = try identityFile()
        let other = AgeIdentity.generate()
        let plaintext = String(repeating: "homelab secret\n", count: 9000)
        try plaintext.write(toFile: dir.file("plain.txt"), atomically: true, encoding: .utf8)
        for armor in [[], ["-a"]] {
            let file = dir.file("in\(armor.count).age")
            let result = try runProcess(
                "/usr/bin/age",
                armor + ["-r", other.recipient.text, "-r", identity.recipient.text, "-o", file, dir.file("plain.txt")])
            XCTAssertEqual(result.status, 0, result.stderr)
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
            XCTAssertEqual(
                String(decoding: try AgeFile.decrypt(bytes, identities: [identity]), as: UTF8.self), plaintext)
        }
    }

    func testAWrongKeyATamperedHeaderAndATruncatedFileAreRefused() throws {
        let (identity, _) = try identityFile()
        let encrypted = try AgeFile.encrypt(Array("secret".utf8), to: [identity.recipient])
        XCTAssertThrowsError(try AgeFile.decrypt(encrypted, identities: [AgeIdentity.generate()])) { error in
            XCTAssertEqual((error as? HLSError)?.message, "no identity matched any of the recipients")
        }
        // Change one character of the stanza's share argument's neighbour: the intro line's MAC input.
        var tampered = encrypted
        let arrow = try XCTUnwrap(tampered.firstIndex(of: UInt8(ascii: ">")))
        tampered.insert(UInt8(ascii: " "), at: arrow + 1)
        XCTAssertThrowsError(try AgeFile.decrypt(tampered, identities: [identity]))
        var flipped = encrypted
        let dashes = try XCTUnwrap(String(decoding: flipped, as: UTF8.self).range(of: "---"))
        let macStart =
            String(decoding: flipped, as: UTF8.self).utf8.distance(
                from: String(decoding: flipped, as: UTF8.self).startIndex, to: dashes.upperBound) + 1
        flipped[macStart] = flipped[macStart] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertThrowsError(try AgeFile.decrypt(flipped, identities: [identity])) { error in
            XCTAssertEqual((error as? HLSError)?.message, "bad header MAC")
        }
        XCTAssertThrowsError(try AgeFile.decrypt(Array(encrypted.dropLast(3)), identities: [identity]))
    }

    func testAnIdentityFileSkipsCommentsAndNamesTheLineOfABadKey() throws {
        let (identity, path) = try identityFile()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(try AgeIdentity.parseFile(text, file: path).map(\.recipient), [identity.recipient])
        XCTAssertThrowsError(try AgeIdentity.parseFile(text + "AGE-SECRET-KEY-1NOPE\n", file: "k.txt")) { error in
            let message = (error as? HLSError)?.message ?? ""
            XCTAssertTrue(message.hasPrefix("k.txt:4: "), message)
            XCTAssertFalse(message.contains("NOPE"), "a key's text never appears in a message: \(message)")
        }
    }
}

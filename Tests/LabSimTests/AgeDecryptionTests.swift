import Foundation
import TestSupport
import XCTest

@testable import LabSim

/// The simulator's age decryption, checked against the `age` program (Debian's `age`, which
/// scripts/test installs): files it encrypts, armored and binary, at the chunk boundaries of the
/// STREAM payload, decrypt to what went in; tampering and the wrong key fail in age's words.
final class AgeDecryptionTests: XCTestCase {
    /// age-keygen's key and its recipient, made once per test.
    private struct Key {
        let file: String
        let secret: String
        let recipient: String
    }

    private func tool(_ name: String) throws -> String {
        let path = "/usr/bin/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("\(name) is not installed; scripts/test installs the Debian package age")
            }
            throw XCTSkip("\(name) is not installed (Debian package age; scripts/test installs it)")
        }
        return path
    }

    private func makeKey(_ dir: TemporaryDirectory, _ name: String = "key.txt") throws -> Key {
        let file = dir.file(name)
        let made = try runProcess(try tool("age-keygen"), ["-o", file])
        XCTAssertEqual(made.status, 0, made.stderr)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let recipient = try runProcess(try tool("age-keygen"), ["-y", file]).stdout
        return Key(
            file: text, secret: text.split(separator: "\n").last.map(String.init) ?? "",
            recipient: recipient.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `age -r RECIPIENT [-a]` of `plaintext`, as bytes.
    private func encrypt(_ plaintext: [UInt8], to recipient: String, armor: Bool, in dir: TemporaryDirectory)
        throws -> [UInt8]
    {
        let input = dir.file("plain")
        let output = dir.file("sealed")
        try Data(plaintext).write(to: URL(fileURLWithPath: input))
        try? FileManager.default.removeItem(atPath: output)
        let result = try runProcess(
            try tool("age"), ["-r", recipient] + (armor ? ["-a"] : []) + ["-o", output, input])
        XCTAssertEqual(result.status, 0, result.stderr)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    private func random(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    func testFilesTheAgeProgramEncryptsDecryptAtEveryChunkBoundary() throws {
        let dir = try TemporaryDirectory()
        let key = try makeKey(dir)
        let identities = try AgeIdentity.parseFile(key.file)
        for size in [0, 1, 32, 65_535, 65_536, 65_537, 196_608] {
            let plaintext = random(size)
            for armor in [false, true] {
                let sealed = try encrypt(plaintext, to: key.recipient, armor: armor, in: dir)
                XCTAssertEqual(
                    try AgeFile.decrypt(sealed, identities: identities), plaintext, "size \(size), armor \(armor)")
            }
        }
        // Armor read with CRLF line ends, as the armor reader accepts them.
        let plaintext = random(100)
        let armored = try encrypt(plaintext, to: key.recipient, armor: true, in: dir)
        let crlf = armored.flatMap { $0 == UInt8(ascii: "\n") ? [13, 10] : [$0] }
        XCTAssertEqual(try AgeFile.decrypt(crlf, identities: identities), plaintext)
    }

    func testTheWrongKeyAndTamperingFailInAgesWords() throws {
        let dir = try TemporaryDirectory()
        let key = try makeKey(dir)
        let other = try makeKey(dir, "other.txt")
        let identities = try AgeIdentity.parseFile(key.file)
        let sealed = try encrypt(random(70_000), to: key.recipient, armor: false, in: dir)

        XCTAssertThrowsError(try AgeFile.decrypt(sealed, identities: try AgeIdentity.parseFile(other.file))) {
            XCTAssertEqual(($0 as? AgeError)?.message, "no identity matched any of the recipients")
        }
        // The last byte of the payload (the last chunk's tag), then the first byte after the intro.
        var payload = sealed
        payload[payload.count - 1] ^= 1
        XCTAssertThrowsError(try AgeFile.decrypt(payload, identities: identities)) {
            XCTAssertEqual(($0 as? AgeError)?.message, "failed to decrypt and authenticate payload chunk")
        }
        XCTAssertThrowsError(try AgeFile.decrypt(Array(sealed.dropLast(4_000)), identities: identities)) {
            XCTAssertEqual(($0 as? AgeError)?.message, "failed to decrypt and authenticate payload chunk")
        }
        // A header MAC that does not match: its first character, changed.
        var header = sealed
        let mac = header.indices.first { header[$0...].starts(with: Array("--- ".utf8)) }! + 4
        header[mac] = header[mac] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        XCTAssertThrowsError(try AgeFile.decrypt(header, identities: identities)) {
            XCTAssertEqual(($0 as? AgeError)?.message, "bad header MAC")
        }
    }

    func testKeysAreReadAsAgeReadsThem() throws {
        let secret = "AGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM"
        XCTAssertNoThrow(try AgeIdentity(secret))
        XCTAssertEqual(try AgeIdentity.parseFile("# created: now\r\n\r\n\(secret)\r\n").count, 1)
        // Lower case is the recipient's form; one changed character breaks the checksum.
        XCTAssertThrowsError(try AgeIdentity(secret.lowercased()))
        XCTAssertThrowsError(try AgeIdentity(String(secret.dropLast()) + "Q"))
        XCTAssertThrowsError(try AgeIdentity.parseFile("# only a comment\n")) {
            XCTAssertEqual(($0 as? AgeError)?.message, "no secret keys found")
        }
        XCTAssertThrowsError(try AgeIdentity.parseFile("# k\n\(secret) \n")) {
            XCTAssertEqual(($0 as? AgeError)?.message.hasPrefix("error at line 2: malformed secret key"), true)
        }
    }
}

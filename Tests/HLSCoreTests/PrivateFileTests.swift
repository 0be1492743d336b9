import Foundation
import HLSCore
import TestSupport
import XCTest

/// The one writer of files that hold a secret (age keys, decrypted SOPS files, kubeconfigs,
/// flux's deploy key): mode 0600, a new directory 0700, replaced whole, `exclusive` refusing.
final class PrivateFileTests: XCTestCase {
    func testWritesMode0600IntoANewDirectory0700AndReplacesWhole() throws {
        let dir = try TemporaryDirectory("private-file")
        let file = dir.file("a/b/key.txt")
        try PrivateFile.write("first secret\n", to: file)
        try PrivateFile.write("second\n", to: file)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "second\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let directoryMode = try FileManager.default.attributesOfItem(atPath: dir.file("a/b"))[.posixPermissions] as? Int
        XCTAssertEqual(directoryMode, 0o700)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.file("a/b")), ["key.txt"])
        XCTAssertThrowsError(try PrivateFile.write("third\n", to: file, exclusive: true))
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "second\n")
    }
}

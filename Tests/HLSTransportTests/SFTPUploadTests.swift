import Foundation
import HLSCore
import HLSCrypto
import HLSTransport
import TestSupport
import XCTest

/// SFTP uploads: content, mode, atomic replacement, errors.
final class SFTPUploadTests: XCTestCase {
    func testThreeMebibytesArriveIntactWithTheirMode() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let bytes = (0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let path = sshd.remoteHome + "/payload.bin"
        try session.upload(bytes, to: path, mode: 0o600, timeout: .seconds(120))

        let local = Hex.encode(SHA.sha256(bytes))
        let remote = try session.exec(
            "sha256sum '\(path)'; stat -c %a '\(path)'; ls -a '\(sshd.remoteHome)'", timeout: .seconds(60))
        let lines = remote.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.first?.split(separator: " ").first.map(String.init), local)
        XCTAssertEqual(lines.dropFirst().first, "600")
        XCTAssertFalse(remote.stdoutText.contains("payload.bin.tmp"), remote.stdoutText)
    }

    func testUploadReplacesAnExistingFile() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let path = sshd.remoteHome + "/config.yaml"
        try session.upload(Array("old\n".utf8), to: path, timeout: .seconds(60))
        try session.upload(Array("new\n".utf8), to: path, mode: 0o640, timeout: .seconds(60))
        let result = try session.exec(
            "cat '\(path)'; stat -c %a '\(path)'; ls '\(sshd.remoteHome)'", timeout: .seconds(60))
        XCTAssertEqual(result.stdoutText, "new\n640\nconfig.yaml\n")
    }

    func testMissingDirectoryIsReportedAndNothingIsCreated() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let path = sshd.remoteHome + "/no/such/dir/file"
        let error = expectHLSError { () throws(HLSError) in
            try session.upload([1, 2, 3], to: path, timeout: .seconds(60))
        }
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.place, .host(sshd.endpoint.description))
        XCTAssertTrue(error?.message.contains("no such file or directory") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.message.contains(path) ?? false, "\(String(describing: error))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: sshd.remoteHome + "/no"))
        XCTAssertTrue(session.isConnected)
    }
}

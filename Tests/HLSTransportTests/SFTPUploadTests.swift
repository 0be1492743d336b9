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

    /// A `.tmp` left by an earlier upload (or planted: a link to another file) never receives the
    /// bytes: the temporary file is made anew, exclusively, with the upload's mode from the start.
    func testALeftoverTemporaryFileOrLinkIsNeverWrittenThrough() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let home = sshd.remoteHome
        let prepared = try session.exec(
            "printf 'victim\\n' >'\(home)/victim' && chmod 644 '\(home)/victim'"
                + " && ln -s '\(home)/victim' '\(home)/token.tmp'"
                + " && printf 'old\\n' >'\(home)/other.tmp' && chmod 666 '\(home)/other.tmp'", timeout: .seconds(60))
        XCTAssertTrue(prepared.succeeded, prepared.stderrText)
        try session.upload(
            Array("K10secret::server:secret\n".utf8), to: home + "/token", mode: 0o600, timeout: .seconds(60))
        try session.upload(
            Array("K10secret::server:secret\n".utf8), to: home + "/other", mode: 0o600, timeout: .seconds(60))
        let result = try session.exec(
            "cat '\(home)/victim'; stat -c '%a %F' '\(home)/victim' '\(home)/token' '\(home)/other'; ls '\(home)'",
            timeout: .seconds(60))
        XCTAssertEqual(
            result.stdoutText, "victim\n644 regular file\n600 regular file\n600 regular file\nother\ntoken\nvictim\n")
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

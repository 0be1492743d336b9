import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// Commands over a real OpenSSH sshd: output, input, exit status and signal, big outputs,
/// connection reuse.
final class SSHExecTests: XCTestCase {
    func testExecReportsStdoutStderrAndExitStatus() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let result = try session.exec("echo hi; echo err >&2; exit 3", timeout: .seconds(60))
        XCTAssertEqual(result.stdoutText, "hi\n")
        XCTAssertEqual(result.stderrText, "err\n")
        XCTAssertEqual(result.exitStatus, 3)
        XCTAssertNil(result.exitSignal)
        XCTAssertFalse(result.succeeded)
    }

    func testSuccessfulCommandExitsZero() throws {
        let sshd = try startSSHD()
        let result = try sshd.connect().exec("true", timeout: .seconds(60))
        XCTAssertEqual(result.exitStatus, 0)
        XCTAssertTrue(result.succeeded)
        XCTAssertEqual(result.stdout, [])
        XCTAssertEqual(result.stderr, [])
    }

    func testStdinIsPipedThroughCat() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let input = Array("hello\nworld\n".utf8)
        let result = try session.exec("cat", stdin: input, timeout: .seconds(60))
        XCTAssertEqual(result.stdout, input)
        XCTAssertEqual(result.exitStatus, 0)
    }

    func testLargeStdinIsCountedByWc() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        // Larger than the channel window: writes must wait for window adjustments.
        let input = [UInt8](repeating: 0x61, count: 3 * 1024 * 1024 + 17)
        let result = try session.exec("wc -c", stdin: input, timeout: .seconds(120))
        XCTAssertEqual(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "\(input.count)")
        XCTAssertEqual(result.exitStatus, 0)
    }

    func testEmptyStdinSendsEOF() throws {
        let sshd = try startSSHD()
        let result = try sshd.connect().exec("wc -c", stdin: [], timeout: .seconds(60))
        XCTAssertEqual(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    func testFiveMebibytesOnStdoutAndStderrAtOnceDoNotDeadlock() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let size = 5 * 1024 * 1024
        let result = try session.exec(
            "head -c \(size) /dev/zero; head -c \(size) /dev/zero >&2; echo done >&2", timeout: .seconds(180))
        XCTAssertEqual(result.stdout.count, size)
        XCTAssertEqual(result.stderr.count, size + 5)
        XCTAssertTrue(result.stdout.allSatisfy { $0 == 0 })
        XCTAssertEqual(Array(result.stderr.suffix(5)), Array("done\n".utf8))
        XCTAssertEqual(result.exitStatus, 0)
    }

    func testInterleavedLargeStreamsKeepEveryByte() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        // Both streams written concurrently by two processes, with distinct bytes.
        let size = 5 * 1024 * 1024
        let command =
            "(head -c \(size) /dev/zero | tr '\\0' 'o') & (head -c \(size) /dev/zero | tr '\\0' 'e' >&2) & wait"
        let result = try session.exec(command, timeout: .seconds(180))
        XCTAssertEqual(result.stdout.count, size)
        XCTAssertEqual(result.stderr.count, size)
        XCTAssertTrue(result.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
        XCTAssertTrue(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
    }

    func testExitSignalIsReported() throws {
        let sshd = try startSSHD()
        let result = try sshd.connect().exec("echo before; kill -TERM $$; echo after", timeout: .seconds(60))
        XCTAssertEqual(result.exitSignal, "TERM")
        XCTAssertNil(result.exitStatus)
        XCTAssertEqual(result.stdoutText, "before\n")
    }

    func testSeveralCommandsReuseOneConnection() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        // SSH_CLIENT is "client-address client-port server-port": the same client port means
        // the same TCP connection.
        let first = try session.exec("echo $SSH_CLIENT", timeout: .seconds(60))
        let second = try session.exec("echo $SSH_CLIENT; exit 4", timeout: .seconds(60))
        let third = try session.exec("cat", stdin: Array("third\n".utf8), timeout: .seconds(60))
        XCTAssertFalse(first.stdoutText.isEmpty)
        XCTAssertEqual(first.stdoutText, second.stdoutText)
        XCTAssertEqual(first.exitStatus, 0)
        XCTAssertEqual(second.exitStatus, 4)
        XCTAssertEqual(third.stdoutText, "third\n")
        XCTAssertTrue(session.isConnected)
    }

    func testHandlersReceiveStreamsInsteadOfTheResult() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        var out: [UInt8] = []
        var err: [UInt8] = []
        let result = try session.exec(
            "seq 1 20000; echo oops >&2", timeout: .seconds(60), onStdout: { out += $0 }, onStderr: { err += $0 })
        let expected = (1...20000).map(String.init).joined(separator: "\n") + "\n"
        XCTAssertEqual(String(decoding: out, as: UTF8.self), expected)
        XCTAssertEqual(String(decoding: err, as: UTF8.self), "oops\n")
        XCTAssertEqual(result.stdout, [])
        XCTAssertEqual(result.stderr, [])
        XCTAssertEqual(result.exitStatus, 0)
    }

    func testSessionCanBeSharedAcrossThreads() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let outputs = Outputs()
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let text = (try? session.exec("echo \(index)", timeout: .seconds(60)).stdoutText) ?? "failed"
            outputs.add(text)
        }
        XCTAssertEqual(outputs.sorted, ["0\n", "1\n", "2\n", "3\n"])
    }
}

/// Thread-safe collector for `testSessionCanBeSharedAcrossThreads`.
private final class Outputs: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ text: String) {
        lock.lock()
        items.append(text)
        lock.unlock()
    }
    var sorted: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items.sorted()
    }
}

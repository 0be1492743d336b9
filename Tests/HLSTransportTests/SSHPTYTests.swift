import Foundation
import HLSCore
import HLSTransport
import TestSupport
import XCTest

/// The interactive session behind `node ssh`, driven through pipes instead of a terminal.
final class SSHPTYTests: XCTestCase {
    func testShellOnAPseudoTerminalRunsInputAndReturnsTheExitStatus() throws {
        let sshd = try startSSHD()
        let session = try sshd.connect()
        let (result, text) = try drive(
            session, typing: "stty size; echo \"term=$TERM\"; tty >/dev/null && echo on-a-tty; exit 3\n",
            endInput: true, term: "vt100", size: SSHTerminalSize(columns: 100, rows: 30))
        XCTAssertEqual(result.exitStatus, 3, text)
        XCTAssertTrue(text.contains("30 100"), text)
        XCTAssertTrue(text.contains("term=vt100"), text)
        XCTAssertTrue(text.contains("on-a-tty"), text)
        // The session is still usable for commands afterwards.
        XCTAssertEqual(try session.exec("echo after", timeout: .seconds(60)).stdoutText, "after\n")
    }

    func testWindowSizeChangesAreSentToTheRemoteTerminal() throws {
        let sshd = try startSSHD()
        let (result, text) = try drive(
            try sshd.connect(), typing: "sleep 1; stty size; exit 0\n", endInput: false, term: "xterm",
            size: SSHTerminalSize(columns: 80, rows: 24), currentSize: { SSHTerminalSize(columns: 132, rows: 43) })
        XCTAssertEqual(result.exitStatus, 0, text)
        XCTAssertTrue(text.contains("43 132"), text)
    }

    func testASecretCommandOnATerminalIsNeitherEchoedNorOnACommandLine() throws {
        let sshd = try startSSHD()
        // Were the text echoed by the terminal or on a command line, `ps` or the echo would show
        // `$((6 * 7))` unexpanded.
        let (result, text) = try drive(
            try sshd.connect(), typing: "", endInput: true, term: "xterm",
            size: SSHTerminalSize(columns: 200, rows: 24),
            command: .secret("echo \"marker-$((6 * 7))\"; ps -eo args; stty -a | grep -o -- '-*echo ' | head -n 1"))
        XCTAssertEqual(result.exitStatus, 0, text)
        XCTAssertTrue(text.contains("marker-42"), text)
        XCTAssertFalse(text.contains("$((6 * 7))"), text)
        XCTAssertTrue(text.hasSuffix("echo \r\n") && !text.hasSuffix("-echo \r\n"), "echo is on again: \(text)")
    }

    /// Runs `session.interactive` with `typing` on a pipe as input (closed after it when
    /// `endInput`), collecting the output from another pipe.
    private func drive(
        _ session: SSHSession, typing: String, endInput: Bool, term: String, size: SSHTerminalSize,
        command: SSHCommand? = nil, currentSize: (() -> SSHTerminalSize?)? = nil
    ) throws -> (SSHExecResult, String) {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&input), 0)
        XCTAssertEqual(pipe(&output), 0)
        defer {
            close(input[0])
            if !endInput { close(input[1]) }
            close(output[0])
        }
        _ = typing.withCString { write(input[1], $0, strlen($0)) }
        if endInput { close(input[1]) }
        let collected = OutputCollector(fd: output[0])
        let result = try session.interactive(
            input: input[0], output: output[1], term: term, size: size, command: command, currentSize: currentSize)
        close(output[1])
        return (result, collected.finish())
    }
}

/// Reads a pipe on a background thread until EOF.
final class OutputCollector: @unchecked Sendable {
    private let fd: Int32
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(fd: Int32) {
        self.fd = fd
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                bytes.append(contentsOf: buffer[0..<n])
            }
            done.signal()
        }.start()
    }

    func finish() -> String {
        done.wait()
        return String(decoding: bytes, as: UTF8.self)
    }
}

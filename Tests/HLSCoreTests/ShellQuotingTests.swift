import Foundation
import HLSCore
import XCTest

final class ShellQuotingTests: XCTestCase {
    func testAQuotedWordIsReadBackByShUnchanged() throws {
        let words = ["", "plain", "it's", "''", "a b\tc\nd", "$HOME `id` $(id) \\ \" * ? ~ # ; | &", "'\\''"]
        for word in words {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "printf %s \(word.shellQuoted)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(String(decoding: output, as: UTF8.self), word, "quoted as \(word.shellQuoted)")
        }
    }

    func testAQuoteInsideBecomesCloseEscapeReopen() {
        XCTAssertEqual("a'b".shellQuoted, #"'a'\''b'"#)
    }
}

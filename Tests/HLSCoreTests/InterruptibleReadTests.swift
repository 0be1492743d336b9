import Foundation
import HLSCore
import XCTest

/// The line editor's character read: a Ctrl-C that arrived while the editor was busy between
/// two reads ends the next read at once (a bare `read` would sleep until the next key, which is
/// how a Ctrl-C typed right after text used to get lost), one that arrives during the wait ends
/// it too, and characters and end of input come through as they are.
final class InterruptibleReadTests: XCTestCase {
    var pipeEnds: [Int32] = [-1, -1]

    override func setUp() {
        Interrupts.install()
        Interrupts.take()
        XCTAssertEqual(pipe(&pipeEnds), 0)
    }

    override func tearDown() {
        Interrupts.take()
        Interrupts.restore()
        for fd in pipeEnds where fd >= 0 { close(fd) }
    }

    func testACtrlCThatCameBetweenReadsEndsTheNextReadAtOnce() {
        Interrupts.raise()
        var character: Int32 = 0
        XCTAssertEqual(Interrupts.readCharacter(from: pipeEnds[0], into: &character), -1)
        XCTAssertEqual(errno, EINTR)
        XCTAssertTrue(Interrupts.take(), "the interrupt is left for the editor's caller to take")
    }

    func testASigintDuringTheWaitEndsIt() throws {
        let reader = pthread_self()
        let sent = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(100_000)
            pthread_kill(reader, SIGINT)
            sent.signal()
        }
        var character: Int32 = 0
        XCTAssertEqual(Interrupts.readCharacter(from: pipeEnds[0], into: &character), -1)
        sent.wait()
        XCTAssertTrue(Interrupts.take())
    }

    func testCharactersOfTheLocaleAndEndOfInputComeThrough() {
        setlocale(LC_CTYPE, "C.UTF-8")
        let bytes: [UInt8] = Array("aé€".utf8)
        XCTAssertEqual(write(pipeEnds[1], bytes, bytes.count), bytes.count)
        close(pipeEnds[1])
        pipeEnds[1] = -1
        var read: [UInt32] = []
        var character: Int32 = 0
        while Interrupts.readCharacter(from: pipeEnds[0], into: &character) == 1 { read.append(UInt32(character)) }
        XCTAssertEqual(read, [0x61, 0xE9, 0x20AC])
        XCTAssertEqual(Interrupts.readCharacter(from: pipeEnds[0], into: &character), 0, "end of input")
    }
}

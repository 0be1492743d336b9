import HLSCore
import Synchronization
import XCTest

/// The small helpers that stand in for full Foundation's `NSString` paths, `Thread`, `NSLock`
/// and `trimmingCharacters` (docs/adr/0020).
final class FoundationReplacementTests: XCTestCase {
    func testPathsSplitAsNSStringDid() {
        let directories = ["/a/b": "/a", "/a/b/": "/a", "/a": "/", "/": "/", "b": "", "a/b": "a", "a//b": "a", "": ""]
        for (path, directory) in directories {
            XCTAssertEqual(FilePaths.directory(of: path), directory, path)
        }
        let last = ["/a/b": "b", "/a/b/": "b", "/": "/", "b": "b", "": ""]
        for (path, component) in last {
            XCTAssertEqual(FilePaths.lastComponent(of: path), component, path)
        }
    }

    func testNormalizedPathsLoseDotsAsFilepathCleanDoes() {
        let cases = [
            "/r/apps/../base/./x.yaml": "/r/base/x.yaml", "a//b/": "a/b", "/a/../..": "/", "../a": "../a",
            "a/../../b": "../b", ".": ".", "./": ".", "": ".",
        ]
        for (path, clean) in cases { XCTAssertEqual(FilePaths.normalized(path), clean, path) }
    }

    func testKindFollowsSymbolicLinks() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/hlsh-paths-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/f", contents: Data("x".utf8))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir)
        XCTAssertEqual(FilePaths.kind(of: dir), .directory)
        XCTAssertEqual(FilePaths.kind(of: dir + "/link"), .directory)
        XCTAssertEqual(FilePaths.kind(of: dir + "/f"), .file)
        XCTAssertEqual(FilePaths.kind(of: "/dev/null"), .other)
        XCTAssertNil(FilePaths.kind(of: dir + "/missing"))
    }

    func testTrimmingWhitespaceTakesSpacesTabsAndBreaksFromBothEnds() {
        XCTAssertEqual(" \t a b \r\n".trimmingWhitespace(), "a b")
        XCTAssertEqual("x y"[...].trimmingWhitespace(), "x y")
        XCTAssertEqual(" \n ".trimmingWhitespace(), "")
    }

    func testADetachedThreadRunsUnderItsName() throws {
        let seen = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Threads.detach(name: "hlsh-test-thread-long", stackSize: 16 << 20) {
            let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            seen.withLock { $0 = comm }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(seen.withLock { $0 }, "hlsh-test-threa\n", "cut to the 15 bytes Linux keeps")
    }

    func testSleepWaitsAtLeastItsDuration() {
        let start = ContinuousClock.now
        Threads.sleep(for: .milliseconds(30))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(30))
    }

    func testARecursiveLockCanBeTakenTwiceByItsThread() {
        let lock = Lock(recursive: true)
        lock.lock()
        lock.lock()
        lock.unlock()
        lock.unlock()
        let plain = Lock()
        plain.lock()
        let other = DispatchSemaphore(value: 0)
        let got = Atomic<Bool>(false)
        Threads.detach {
            plain.lock()
            got.store(true, ordering: .sequentiallyConsistent)
            plain.unlock()
            other.signal()
        }
        Threads.sleep(for: .milliseconds(50))
        XCTAssertFalse(got.load(ordering: .sequentiallyConsistent), "another thread waits while the lock is held")
        plain.unlock()
        XCTAssertEqual(other.wait(timeout: .now() + 10), .success)
        XCTAssertTrue(got.load(ordering: .sequentiallyConsistent))
    }
}

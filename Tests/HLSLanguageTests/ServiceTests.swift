import Dispatch
import Foundation
import HLSCore
import HLSLanguage
import Synchronization
import XCTest

/// The services of a run: made once however many threads ask, closed once when the run ends.
final class ServiceTests: XCTestCase {
    /// A service that counts how often it was closed, and records the order of closes.
    final class CloseOrder: Sendable {
        let names = Mutex<[String]>([])
    }

    final class Recorder: ClosableService {
        let name: String
        let closes = Atomic<Int>(0)
        let order: CloseOrder?

        init(_ name: String, order: CloseOrder? = nil) {
            self.name = name
            self.order = order
        }

        func close() {
            closes.add(1, ordering: .relaxed)
            order?.names.withLock { $0.append(name) }
        }
    }

    final class Pool: ClosableService {
        let inner: Recorder
        init(_ inner: Recorder) { self.inner = inner }
        func close() { inner.close() }
    }

    final class Client: ClosableService {
        let inner: Recorder
        init(_ inner: Recorder) { self.inner = inner }
        func close() { inner.close() }
    }

    func context() -> ExecutionContext { ExecutionContext(out: { _ in }, err: { _ in }) }

    func testConcurrentGetOrCreateMakesOneInstance() {
        for _ in 0..<20 {
            let context = context()
            let makes = Atomic<Int>(0)
            let seen = Mutex<Set<ObjectIdentifier>>([])
            DispatchQueue.concurrentPerform(iterations: 32) { _ in
                let pool = context.service(Pool.self) {
                    makes.add(1, ordering: .relaxed)
                    usleep(2000)  // a slow make (reading ssh_config) widens the window
                    return Pool(Recorder("pool"))
                }
                seen.withLock { _ = $0.insert(ObjectIdentifier(pool)) }
            }
            XCTAssertEqual(makes.load(ordering: .relaxed), 1, "make ran more than once")
            XCTAssertEqual(seen.withLock { $0.count }, 1, "threads got different instances")
        }
    }

    func testAMakeMayUseAnotherServiceOfTheContext() {
        let context = context()
        let client = context.service(Client.self) {
            // As `NodeService` reads the lab to make its connections.
            Client(context.service(Recorder.self) { Recorder("lab") })
        }
        XCTAssertTrue(context.service(Recorder.self) === client.inner)
    }

    func testAFailedMakeIsTriedAgain() {
        struct Refused: Error {}
        let context = context()
        XCTAssertThrowsError(try context.service(Recorder.self) { () throws(Refused) -> Recorder in throw Refused() })
        XCTAssertNil(context.service(Recorder.self))
        XCTAssertEqual(context.service(Recorder.self) { Recorder("second") }.name, "second")
    }

    func testClosingTheRunClosesEachServiceOnceNewestFirst() {
        let context = context()
        let order = CloseOrder()
        let pool = context.service(Pool.self) { Pool(Recorder("pool", order: order)) }
        let client = context.service(Client.self) { Client(Recorder("client", order: order)) }
        context.closeServices()
        context.closeServices()
        XCTAssertEqual(pool.inner.closes.load(ordering: .relaxed), 1 as Int)
        XCTAssertEqual(client.inner.closes.load(ordering: .relaxed), 1 as Int)
        XCTAssertEqual(order.names.withLock { $0 }, ["client", "pool"])
    }
}

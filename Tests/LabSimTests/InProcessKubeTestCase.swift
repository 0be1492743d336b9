import NIOPosix
import XCTest

@testable import LabSim

/// A test case with a simulated Kubernetes API in process (no listener), for controller tests:
/// `api`, and `user`, a client of it writing as the manager `tests`.
class InProcessKubeTestCase: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    var api: KubeAPI!
    var user: KubeInProcessClient!

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        api = KubeAPI(config: KubeAPIConfig(), faults: KubeFaultInjector(), controllers: group.next())
        user = KubeInProcessClient(api: api, manager: "tests")
    }

    override func tearDown() { try? group.syncShutdownGracefully() }

    /// Waits up to 10 s for `condition`, failing the test if it never holds.
    func eventually(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            usleep(5_000)
        }
        XCTFail("never: \(what)")
    }
}

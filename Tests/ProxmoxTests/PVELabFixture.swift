import Foundation
import HLSCore
import HLSTransport
import LabSim
import Proxmox
import Synchronization
import TestSupport
import XCTest

/// A lab simulator with short delays, served over HTTPS with its own CA, used only through its
/// public API (`SimulatedLab`, `PVESimulator`, `PVESimulatorConfig`, `PVEFault`): a black box for
/// the client.
final class PVELabFixture {
    /// A lab of the PVE API alone.
    let lab: SimulatedLab
    var sim: PVESimulator { lab.pve }
    let endpoint: PVESimulator.Endpoint
    let config: PVESimulatorConfig
    /// The test's own files.
    let directory: TemporaryDirectory

    init(configure: (inout PVESimulatorConfig) -> Void = { _ in }) throws {
        var config = PVESimulatorConfig.seedLab(timings: .fastTest)
        configure(&config)
        self.config = config
        directory = try TemporaryDirectory("hlsh-pve")
        lab = try SimulatedLab.temporary(
            SimulatedLab.Options(pve: config, nodeImage: nil), under: TemporaryDirectory.root)
        endpoint = try XCTUnwrap(lab.pve.endpoint)
    }

    deinit { lab.stop() }

    /// `root@pam!hlsh=SECRET`, from the seed's public configuration.
    var rootToken: PVEAPIToken {
        let token = config.tokens.first { $0.userid == "root@pam" && $0.name == "hlsh" }!
        return PVEAPIToken(user: token.userid, tokenName: token.name, secret: PVESecret(token.secret))
    }

    var rootPassword: String { config.users.first { $0.userid == "root@pam" }!.password }

    func settings(
        credentials: PVECredentials? = nil, tls: TLSOptions? = nil,
        retry: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(20))
    ) throws -> PVEConnectionSettings {
        var settings = PVEConnectionSettings(
            endpoint: try PVEEndpoint(parsing: endpoint.url), credentials: credentials ?? .apiToken(rootToken),
            tls: tls ?? TLSOptions(caFile: endpoint.caPath), retry: retry)
        settings.timeouts = HTTPTimeouts(connect: .seconds(10), total: .seconds(30))
        return settings
    }

    func client(
        credentials: PVECredentials? = nil, tls: TLSOptions? = nil, trace: TraceLines? = nil
    ) throws -> PVEClient {
        PVEClient(settings: try settings(credentials: credentials, tls: tls), trace: trace?.sink)
    }
}

/// The HTTP client's trace lines, to count requests and retries.
final class TraceLines: Sendable {
    private let lines = Mutex<[String]>([])

    var sink: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined(separator: "\n") }
    func count(_ prefix: String, containing text: String) -> Int {
        all.filter { $0.hasPrefix(prefix) && $0.contains(text) }.count
    }
}

/// Asserts that `body` throws an `HLSError` and returns it.
func assertHLSError<T>(
    _ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line
) -> HLSError? {
    do {
        let value = try body()
        XCTFail("expected an error, got \(value)", file: file, line: line)
        return nil
    } catch let error as HLSError {
        return error
    } catch {
        XCTFail("expected an HLSError, got \(error)", file: file, line: line)
        return nil
    }
}

/// Polls until `body` returns a value or `timeout` passes.
func eventually<T>(
    timeout: TimeInterval = 20, every: TimeInterval = 0.1, _ body: () throws -> T?
) rethrows -> T? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let value = try body() { return value }
        Thread.sleep(forTimeInterval: every)
    }
    return try body()
}

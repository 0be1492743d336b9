import HLSCommands
import HLSLanguage
import XCTest

/// Which verbs that change the lab say they are idempotent (help: "and is idempotent") and which
/// do their action again on every run. A new mutating verb lands in one list or the other here,
/// so its help says the truth about a rerun.
final class MutatingVerbsTests: XCTestCase {
    /// Each run acts again: a command run, a reboot, a reissue, a reconcile asked for.
    static let actEveryRun: Set<String> = ["node run", "node reboot", "vm reboot", "cert renew", "flux reconcile"]

    func testOnlyVerbsThatActOnEveryRunSayTheyAreNotIdempotent() {
        let mutating = Commands.registry().specs.filter(\.mutates)
        XCTAssertGreaterThan(mutating.count, 15, "the command modules' mutating verbs were not found")
        let notIdempotent = Set(mutating.filter { !$0.isIdempotent }.map(\.name))
        XCTAssertEqual(notIdempotent, Self.actEveryRun)
        for spec in mutating {
            let help = Usage.changesTheLab(spec)
            XCTAssertEqual(
                help.contains("not idempotent"), Self.actEveryRun.contains(spec.name), "\(spec.name): \(help)")
        }
    }
}

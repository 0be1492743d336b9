import XCTest

@testable import HLSCommands

/// The words `flux get|reconcile|wait|…` take for a kind: the flux CLI's (`git`, `source-git`),
/// the plural and singular resource names, and the CRDs' short names kubectl users type.
final class FluxKindWordsTests: XCTestCase {
    func testTheFluxCLIsWordsTheResourceNamesAndTheCRDShortNamesNameTheirKind() {
        let expected: [(String, FluxKind)] = [
            ("git", .gitRepository), ("source-git", .gitRepository), ("gitrepo", .gitRepository),
            ("GitRepository", .gitRepository), ("gitrepositories", .gitRepository),
            ("helmrepo", .helmRepository), ("ocirepo", .ociRepository), ("hc", .helmChart),
            ("ks", .kustomization), ("hr", .helmRelease), ("bucket", .bucket),
        ]
        for (word, kind) in expected { XCTAssertEqual(FluxKind.named(word), kind, word) }
        XCTAssertNil(FluxKind.named("kustomisation"))
        // Completion and help offer the first two words of each kind only.
        XCTAssertFalse(FluxKind.allWords.contains("gitrepo"))
    }
}

import Foundation
import HLSCore
import HLSLanguage
import XCTest

/// Every example in every verb's help is run; when it declares its output, that is what it
/// must print. (This target cannot link the command modules, so it covers the language's own
/// verbs: `Builtins.registry`. A registry that grows should be added to `registries`.)
final class ExampleTests: XCTestCase {
    let registries: [(String, Registry)] = [("builtins", Builtins.registry)]

    func testEveryHelpExampleRunsAndPrintsItsDeclaredOutput() throws {
        for (name, registry) in registries {
            for spec in registry.specs {
                XCTAssertFalse(spec.examples.isEmpty, "\(name): '\(spec.name)' has no example")
                for example in spec.examples {
                    // No lab exists in this target, and CommandExamplesTests runs only the command
                    // modules' examples: a builtin example that needs a lab would run nowhere.
                    if example.needsLab {
                        XCTFail("\(name): '\(spec.name)' has an example that needs a lab, which no test runs")
                        continue
                    }
                    let hls = HLS(registry: registry, environment: ProcessInfo.processInfo.environment)
                    let result = hls.run(example.code, name: "<example of \(spec.name)>")
                    XCTAssertEqual(result.status, 0, "'\(example.code)' failed: \(result.err)")
                    if let expected = example.output {
                        XCTAssertEqual(result.out, expected, "output of '\(example.code)'")
                    }
                }
            }
        }
    }

    func testHelpListsEveryExampleOfAVerb() {
        let registry = Builtins.registry
        for spec in registry.specs {
            let help = Usage.help(spec)
            for example in spec.examples {
                XCTAssertTrue(help.contains("  \(example.code)\n"), "help of \(spec.name) lacks \(example.code)")
            }
        }
    }

    func testHelpAndDashDashHelpPrintTheSameText() {
        for spec in Builtins.registry.specs {
            let viaHelp = output("help \(spec.name)")
            XCTAssertEqual(viaHelp, Usage.help(spec))
            // As a statement, `VERB --help` prints the same declaration.
            let code = spec.takesInput ? "null | \(spec.name) --help" : "\(spec.name) --help"
            XCTAssertEqual(output(code), viaHelp, spec.name)
        }
    }

    func testHelpForAnUnknownTopicIsAUsageError() {
        let err = failure("help wehre", status: 2)
        XCTAssertTrue(err.contains("error: help: no command or object named 'wehre'"), err)
        XCTAssertTrue(err.contains("hint: did you mean 'help where'?"), err)
    }

    func testHelpOfAnObjectListsItsVerbs() {
        XCTAssertEqual(
            output("help secret"),
            """
            secret — values that print as *** and never reach logs or history

            Verbs:
              env   A secret from an environment variable
              file  A secret from a file (trailing newline removed)

            Run 'help secret VERB' for a verb's arguments and flags.

            """)
    }
}

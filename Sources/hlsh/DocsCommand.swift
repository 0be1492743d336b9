import HLSCommands
import HLSCore
import HLSLanguage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `hlsh docs [--check] [DIR]`: writes DIR/reference.md and DIR/hlsh.1 (DIR: `docs`) from the
/// registry and `HLSHManual`; with `--check`, writes nothing and exits 1 naming each file that
/// is missing or differs.
enum DocsCommand {
    static let usage = "hlsh docs [--check] [DIR]"

    static func run(_ arguments: [String]) -> Int32 {
        var check = false
        var directories: [String] = []
        for word in arguments {
            if word == "--check" {
                check = true
            } else if word == "--help" || word == "-h" {
                print(
                    "usage: \(usage)\nWrites DIR/reference.md and DIR/hlsh.1 (DIR: docs) from the registry; "
                        + "--check writes nothing and exits 1 naming each file that is stale.")
                return ExitStatus.ok.rawValue
            } else if word.hasPrefix("-") {
                StandardStreams.err("hlsh: docs: unknown option '\(word)'\n  usage: \(usage)\n")
                return ExitStatus.usage.rawValue
            } else {
                directories.append(word)
            }
        }
        guard directories.count <= 1 else {
            StandardStreams.err("hlsh: docs: one DIR at most\n  usage: \(usage)\n")
            return ExitStatus.usage.rawValue
        }
        let directory = directories.first ?? "docs"
        let registry = Commands.registry()
        let files = [
            ("reference.md", ReferenceDocument.markdown(registry, manual: HLSHManual.manual)),
            ("hlsh.1", ManPage.roff(registry, manual: HLSHManual.manual)),
        ]
        var status = ExitStatus.ok
        for (name, text) in files {
            let path = directory + "/" + name
            let current = try? String(contentsOfFile: path, encoding: .utf8)
            if check {
                guard current != text else { continue }
                let what = current == nil ? "is missing" : "is stale (it differs from what the registry generates)"
                StandardStreams.err("hlsh: \(path) \(what); run: hlsh docs \(directory)\n")
                status = .failure
            } else {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                    StandardStreams.err("wrote \(path)\n")
                } catch {
                    StandardStreams.err("hlsh: cannot write \(path): \(error)\n")
                    status = .failure
                }
            }
        }
        return status.rawValue
    }
}

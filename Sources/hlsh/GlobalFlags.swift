#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Pulls the run-wide flags out of an `OBJECT VERB …` word list.
enum GlobalFlags {
    /// Removes global flags from `words` into `options`; returns a problem to report, if any.
    static func extract(from words: inout [String], into options: inout GlobalOptions) -> String? {
        var kept: [String] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            func value() -> String? {
                if let eq = w.firstIndex(of: "=") { return String(w[w.index(after: eq)...]) }
                i += 1
                return i < words.count ? words[i] : nil
            }
            switch w {
            case "--dry-run": options.dryRun = true
            case "--detailed-exitcode": options.detailedExitcode = true
            case "--yes", "-y": options.yes = true
            case "--resume": options.resume = true
            case "--sim": options.sim = true
            case "-o", "--output":
                guard let v = value(), let f = OutputFormat(rawValue: v) else {
                    return "\(w) needs one of table, json, yaml"
                }
                options.output = f
            case _ where w.hasPrefix("--output="):
                guard let v = value(), let f = OutputFormat(rawValue: v) else {
                    return "--output needs one of table, json, yaml"
                }
                options.output = f
            case "--log":
                guard let v = value() else { return "--log needs a FILE" }
                options.log = v
            case _ where w.hasPrefix("--log="):
                options.log = value()
            default:
                kept.append(w)
            }
            i += 1
        }
        words = kept
        return nil
    }
}

/// Turns the words of `hlsh OBJECT VERB …` back into .hls source, quoting where needed so each
/// word stays one argument.
enum CommandLineWords {
    /// `hlsh 'vm list'`: a first word with a space names no object or command; it is commands
    /// typed as one argument, as after `-c`. That is refused with the two ways to write it rather
    /// than run: a third form would make `hlsh WORD` mean code, a file or a value by guesswork
    /// (bash does not run `bash 'echo hi'` either), and the error costs one retry.
    static func problem(_ words: [String]) -> String? {
        guard let first = words.first, first.contains(where: \.isWhitespace) else { return nil }
        return "'\(first)' is one argument with spaces, not a command\n"
            + "  hint: to run it, write: hlsh -c \(quote(first)) (or the words unquoted: hlsh \(first))"
    }

    static func source(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    static func quote(_ word: String) -> String {
        let special: Set<Character> = [
            " ", "\t", "\n", "\"", "'", "$", "|", ";", "{", "}", "(", ")", "[", "]", "#", ",", "\\",
        ]
        if !word.isEmpty && !word.contains(where: { special.contains($0) }) { return word }
        return "'" + word.replacing("'", with: "\\'") + "'"
    }
}

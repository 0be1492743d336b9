#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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

public import HLSCore
import HLSFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `.sops.yaml`: the creation rule that says to whom, and which values, a new file is encrypted.
/// Rules are tried top-down and the first whose `path_regex` matches (a search, on the path
/// relative to the file's directory) wins; a rule without one matches everything.
public enum SOPSConfig {
    public struct Rule: Sendable {
        public var recipients: [String] = []
        public var selection: SOPSFile.Selection = .default
    }

    /// The rule for `file` from the nearest `.sops.yaml` in its directory or above; the default
    /// rule (no recipients, `_unencrypted` suffix) when there is none.
    public static func rule(for file: String) throws(HLSError) -> Rule {
        guard let (text, config, relative) = config(for: file) else { return Rule() }
        guard let rule = try rule(in: text, config: config, for: relative) else {
            throw HLSError(
                .configuration, "error loading config: no matching creation rules found",
                hint: "in \(config), for \(relative)")
        }
        return rule
    }

    /// The creation rule whose path_regex matches `file` in the nearest `.sops.yaml`; nil when
    /// there is no `.sops.yaml` or none of its rules matches (a file sops would not encrypt).
    public static func matchingRule(for file: String) throws(HLSError) -> Rule? {
        guard let (text, config, relative) = config(for: file) else { return nil }
        return try rule(in: text, config: config, for: relative)
    }

    /// The nearest `.sops.yaml` in the directory of `file` or above: its text, its path, and
    /// `file` relative to its directory.
    static func config(for file: String) -> (text: String, config: String, relative: String)? {
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        var directory = FilePaths.directory(of: absolute)
        while true {
            let candidate = directory + "/.sops.yaml"
            if let data = FileManager.default.contents(atPath: candidate) {
                let relative = String(absolute.dropFirst(directory == "/" ? 1 : directory.count + 1))
                return (String(decoding: data, as: UTF8.self), candidate, relative)
            }
            guard directory != "/" && !directory.isEmpty else { return nil }
            directory = FilePaths.directory(of: directory)
        }
    }

    static func rule(in text: String, config: String, for path: String) throws(HLSError) -> Rule? {
        let document = try YAMLCodec.decode(text, file: config)
        guard case .array(let rules) = document["creation_rules"] ?? .null else {
            throw HLSError(
                .configuration, "\(config): no creation_rules", hint: "see the creation_rules of sops's .sops.yaml")
        }
        for entry in rules {
            if case .string(let pattern) = entry["path_regex"] ?? .null {
                guard let regex = try? Regex(pattern) else {
                    throw HLSError(.configuration, "\(config): bad path_regex \(pattern)")
                }
                guard path.contains(regex) else { continue }
            }
            var rule = Rule()
            rule.recipients = ageRecipients(of: entry)
            let selections = SOPSFile.Selection.Kind.allCases.compactMap { kind -> SOPSFile.Selection? in
                (entry[kind.rawValue]?.scalarString).map { SOPSFile.Selection(kind, $0) }
            }
            guard selections.count <= 1 else {
                throw HLSError(.configuration, "\(config): a creation rule may set only one of the selection keys")
            }
            rule.selection = selections.first ?? .default
            return rule
        }
        return nil
    }

    /// Every age recipient the creation rules of a `.sops.yaml` (its text, read from `config`)
    /// name, in order, without repeats: the public keys its files are encrypted to.
    public static func recipients(in text: String, config: String) throws(HLSError) -> [String] {
        let document = try YAMLCodec.decode(text, file: config)
        guard case .array(let rules) = document["creation_rules"] ?? .null else {
            throw HLSError(
                .configuration, "\(config): no creation_rules", hint: "see the creation_rules of sops's .sops.yaml")
        }
        var all: [String] = []
        for recipient in rules.flatMap(ageRecipients) where !all.contains(recipient) { all.append(recipient) }
        return all
    }

    /// A creation rule's `age`: a comma-separated string or a list.
    static func ageRecipients(of entry: Document) -> [String] {
        switch entry["age"] ?? .null {
        case .string(let list): list.split(separator: ",").map { $0.trimmingWhitespace() }
        case .array(let items): items.compactMap { $0.scalarString?.trimmingWhitespace() }
        default: []
        }
    }
}

extension Document {
    fileprivate var scalarString: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

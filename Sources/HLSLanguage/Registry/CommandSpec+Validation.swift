/// The declaration checks swift-argument-parser makes of its own: names that can be told apart,
/// and defaults that the declared kind accepts. The registry test runs them over every verb.
extension CommandSpec {
    /// What is wrong with the declaration, one sentence each; empty when it is sound.
    /// `reserved` are names taken before the verb sees its words (hlsh's run-wide flags).
    public func declarationProblems(reserved: Set<String> = []) -> [String] {
        var problems: [String] = []
        let effective = flags + [OutputFlag.spec]
        let names = positionals.map(\.name) + effective.map(\.name)
        for name in Set(names) where names.filter({ $0 == name }).count > 1 {
            problems.append("'\(self.name)': the name '\(name)' is declared more than once")
        }
        let shorts = effective.compactMap(\.short).map(String.init)
        for short in Set(shorts) where shorts.filter({ $0 == short }).count > 1 {
            problems.append("'\(self.name)': the short flag '-\(short)' is declared more than once")
        }
        for flag in flags {
            for name in [flag.name] + (flag.short.map { [String($0)] } ?? []) where reserved.contains(name) {
                problems.append("'\(self.name)': its flag '\(name)' is also a run-wide flag of hlsh")
            }
            if let problem = Self.defaultProblem(flag.defaultValue, kind: flag.kind ?? .bool) {
                problems.append("'\(self.name)': --\(flag.name) \(problem)")
            }
        }
        for parameter in positionals {
            if let problem = Self.defaultProblem(parameter.defaultValue, kind: parameter.kind) {
                problems.append("'\(self.name)': <\(parameter.name)> \(problem)")
            }
        }
        return problems
    }

    /// Why `value` cannot be the default of an argument of `kind`, if it cannot.
    static func defaultProblem(_ value: Value?, kind: ValueKind) -> String? {
        guard let value else { return nil }
        switch (kind, value) {
        case (.choice(let words), .string(let word)):
            return words.contains(word)
                ? nil : "defaults to '\(word)', which is not one of \(words.joined(separator: ", "))"
        case (.int, .int), (.float, .float), (.bool, .bool), (.duration, .duration), (.size, .size),
            (.string, .string), (.path, .string), (.name, .string), (.any, _):
            return nil
        default:
            return "is declared \(kind.placeholder) but defaults to a \(value.typeName)"
        }
    }
}

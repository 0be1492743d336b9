import Synchronization

/// A lexical scope: variables and `def`s, with a parent. Locked, because `parallel for`
/// bodies run on several threads and may read (and `set`) outer variables.
final class Scope: Sendable {
    let parent: Scope?
    private let state = Mutex<State>(State())

    private struct State {
        var variables: [String: Value] = [:]
        var definitions: [String: Definition] = [:]
    }

    init(parent: Scope?) {
        self.parent = parent
    }

    func lookup(_ name: String) -> Value? {
        if let v = state.withLock({ $0.variables[name] }) { return v }
        return parent?.lookup(name)
    }

    func declare(_ name: String, _ value: Value) {
        state.withLock { $0.variables[name] = value }
    }

    /// Reassigns the nearest binding of `name`; false when there is none.
    func assign(_ name: String, _ value: Value) -> Bool {
        let found = state.withLock { s -> Bool in
            guard s.variables[name] != nil else { return false }
            s.variables[name] = value
            return true
        }
        return found || (parent?.assign(name, value) ?? false)
    }

    func definition(_ name: String) -> (Definition, Scope)? {
        if let d = state.withLock({ $0.definitions[name] }) { return (d, self) }
        return parent?.definition(name)
    }

    func define(_ definition: Definition) {
        state.withLock { $0.definitions[definition.name] = definition }
    }

    var allVariableNames: [String] {
        let mine = state.withLock { Array($0.variables.keys) }
        return mine + (parent?.allVariableNames ?? [])
    }

    var allDefinitionNames: Set<String> {
        let mine = state.withLock { Set($0.definitions.keys) }
        return mine.union(parent?.allDefinitionNames ?? [])
    }
}

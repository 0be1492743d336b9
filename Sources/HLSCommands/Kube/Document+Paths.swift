import HLSCore

/// Reading API objects by key paths: `node.string("status", "nodeInfo", "kubeletVersion")`.
extension Document {
    /// The value at a path of keys.
    func at(_ keys: String...) -> Document? { at(keys) }

    /// The value at a path of keys given as an array.
    func at(_ keys: [String]) -> Document? {
        var current: Document? = self
        for key in keys { current = current?[key] }
        return current
    }

    /// The string at a path of keys.
    func string(_ keys: String...) -> String? {
        var current: Document? = self
        for key in keys { current = current?[key] }
        if case .string(let text)? = current { return text }
        return nil
    }

    /// The items of an array (none for anything else).
    var elements: [Document] {
        if case .array(let items) = self { return items }
        return []
    }
}

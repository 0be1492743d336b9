public import HLSCore

/// What a list or watch selects.
public struct KubeListOptions: Sendable, Hashable {
    /// `app=web,tier!=db`.
    public var labelSelector: String?
    /// `metadata.name=x`, `spec.nodeName=n`.
    public var fieldSelector: String?
    /// Objects per page; the pages are followed to the end. 0 asks for everything at once.
    public var limit: Int

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int = 500) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
    }

    var selectors: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        return query
    }
}

/// A list's items, whatever the number of pages, and the resourceVersion to watch from.
public struct KubeList: Sendable {
    public var items: [Document]
    public var resourceVersion: String
    /// `PodList`, …
    public var kind: String

    public init(items: [Document], resourceVersion: String, kind: String) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.kind = kind
    }
}

/// What `delete` does with the object's dependents.
public enum KubePropagation: String, Sendable {
    case background = "Background"
    case foreground = "Foreground"
    case orphan = "Orphan"
}

public import HLSCore

/// What a watch hands its receiver.
public enum KubeWatchEvent: Sendable {
    /// The collection's whole state, from a list: at the start, and again after the server
    /// said the watch's resourceVersion is too old (410); the receiver replaces what it knew.
    case listed([Document], resourceVersion: String)
    case added(Document)
    case modified(Document)
    case deleted(Document)
    /// A checkpoint carrying only the resourceVersion the watch has reached.
    case bookmark(resourceVersion: String)
}

/// Whether a watch goes on.
public enum KubeWatchDecision: Sendable {
    case `continue`
    case stop
}

/// `metadata.resourceVersion` of an object, if any.
func resourceVersion(of object: Document?) -> String? {
    if case .string(let version)? = object?["metadata"]?["resourceVersion"], !version.isEmpty { return version }
    return nil
}

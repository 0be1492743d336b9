#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Identifiers the server hands out.
enum KubeIDs {
    /// A random UUID in the lower-case form Kubernetes writes (`metadata.uid`, `Audit-Id`).
    static func uid() -> String { UUID().uuidString.lowercased() }

    /// The random suffix of `generateName` (five characters of `bcdfghjklmnpqrstvwxz2456789`).
    static func suffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}

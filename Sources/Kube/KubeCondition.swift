public import HLSCore

/// One entry of an object's `status.conditions`, read as `kubectl wait --for=condition=` reads
/// it: the type matched without regard to case, and the generation it was computed for.
public struct KubeCondition: Sendable, Hashable {
    /// `Ready`, `Established`, … as the object spells it.
    public var type: String
    /// `True`, `False`, `Unknown`.
    public var status: String
    /// The condition's `reason` and `message`, empty when it gives none.
    public var reason: String
    public var message: String
    /// The generation the condition describes: the condition's own `observedGeneration`, else
    /// `status.observedGeneration`; nil when the object reports neither.
    public var observedGeneration: Int?
    /// The object's `metadata.generation` (nil for kinds without one).
    public var generation: Int?

    /// The first condition of type `type` (any case) that has a status, nil when there is none.
    public init?(_ type: String, of object: Document) {
        guard case .array(let conditions)? = object["status"]?["conditions"] else { return nil }
        let wanted = type.lowercased()
        for condition in conditions {
            guard case .string(let name)? = condition["type"], name.lowercased() == wanted,
                case .string(let status)? = condition["status"]
            else { continue }
            self.type = name
            self.status = status
            reason = condition["reason"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? ""
            message = condition["message"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? ""
            observedGeneration =
                Self.int(condition["observedGeneration"]) ?? Self.int(object["status"]?["observedGeneration"])
            generation = Self.int(object["metadata"]?["generation"])
            return
        }
        return nil
    }

    /// False when the condition was computed for an older generation than the object's: after a
    /// change of spec, a Ready of the previous generation says nothing about the new one.
    public var isCurrent: Bool {
        guard let generation, let observedGeneration else { return true }
        return observedGeneration >= generation
    }

    /// Whether the status is `wanted` (compared without regard to case, as kubectl does) and
    /// the condition is current.
    public func holds(_ wanted: String) -> Bool {
        isCurrent && status.lowercased() == wanted.lowercased()
    }

    /// The types of every condition `object` reports, in its order.
    public static func types(of object: Document) -> [String] {
        guard case .array(let conditions)? = object["status"]?["conditions"] else { return [] }
        return conditions.compactMap { if case .string(let name)? = $0["type"] { name } else { nil } }
    }

    private static func int(_ value: Document?) -> Int? {
        if case .int(let number)? = value { return number }
        return nil
    }
}

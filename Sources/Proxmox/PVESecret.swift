/// A password, token secret or ticket. It prints as `***` everywhere (`description`,
/// `debugDescription`, `dump`, string interpolation), so it cannot leak into messages or logs by
/// accident; only the request code reads the value.
public struct PVESecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    let value: String

    public init(_ value: String) { self.value = value }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

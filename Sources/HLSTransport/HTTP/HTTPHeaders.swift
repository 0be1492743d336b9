/// An ordered list of HTTP header fields with case-insensitive lookup. Order is kept as given
/// (requests are sent in this order; responses list fields as the server sent them), and a
/// name may occur more than once.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init() { fields = [] }

    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// A dictionary literal keeps its written order: `["Accept": "application/json", ...]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value of the field called `name` (any case), or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of the field called `name` (any case), in order.
    public func values(for name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name.lowercased() == key }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any earlier ones with the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field called `name` (any case) with one field at the first one's position
    /// (or at the end).
    public mutating func set(_ name: String, _ value: String) {
        let key = name.lowercased()
        if let index = fields.firstIndex(where: { $0.name.lowercased() == key }) {
            fields[index].value = value
            var seen = false
            fields.removeAll { field in
                guard field.name.lowercased() == key else { return false }
                defer { seen = true }
                return seen
            }
        } else {
            fields.append(Field(name: name, value: value))
        }
    }

    /// Removes every field called `name` (any case).
    public mutating func remove(_ name: String) {
        let key = name.lowercased()
        fields.removeAll { $0.name.lowercased() == key }
    }

    /// Appends an obsolete folded continuation line to the last field's value.
    mutating func continueLastField(with text: String) {
        guard !fields.isEmpty else { return }
        fields[fields.count - 1].value += " " + text
    }

    /// One `Name: value` line per field, sensitive values replaced by `***`: safe to log.
    public var description: String { Redaction.render(self) }
}

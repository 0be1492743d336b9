import Foundation

/// One value shared by the tests of a class (a served lab, say): made on first use, and let go
/// by `release()`, which the class calls from its `class func tearDown`.
public final class ClassShared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private let make: () throws -> Value
    private let drop: (Value) -> Void

    /// `make` builds the value on first use; `drop` ends it (stops its servers) on `release()`.
    public init(make: @escaping () throws -> Value, drop: @escaping (Value) -> Void = { _ in }) {
        self.make = make
        self.drop = drop
    }

    /// The value, made now if this is its first use since the last release.
    public func get() throws -> Value {
        try lock.withLock {
            if let value { return value }
            let made = try make()
            value = made
            return made
        }
    }

    /// Ends the value, if one was made; the next `get()` makes a new one.
    public func release() {
        lock.withLock {
            if let value { drop(value) }
            value = nil
        }
    }
}

import HLSCore

/// The protobuf request bodies typed clients send (`k8s\0` + `runtime.Unknown`, reference §0),
/// decoded into the document the same object sent as JSON gives. `KubeProtobufMessages` holds
/// the field numbers of the messages kubectl's typed verbs send; a kind it lacks answers 415 as a
/// server without that decoder would. Malformed bodies answer 400 in the apiserver's words.
enum KubeProtobuf {
    static let accepted = ["application/json", "application/yaml"]
    private static let prefix: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// Why bytes are not a message, in gogo-protobuf's words (`unexpected EOF`, …).
    struct Malformed: Error { var text: String }

    /// One field on the wire: a varint's value, or the bytes of a length-delimited field.
    struct Field {
        var number: Int
        var wire: Int
        var value: UInt64 = 0
        var bytes: ArraySlice<UInt8> = []
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// The body sent to `type`'s endpoint as a document (`apiVersion`, `kind`, then the fields in
    /// the order Go's JSON encoding writes them).
    static func decode(_ body: [UInt8], for type: KubeResourceType) throws(KubeStatus) -> Document {
        let envelope: [Field]
        let typeMeta: [Field]
        do throws(Malformed) {
            guard !body.isEmpty else { throw Malformed(text: "empty data") }
            guard body.starts(with: prefix) else {
                throw Malformed(
                    text: "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
            }
            guard body.count > prefix.count else { throw Malformed(text: "empty body") }
            envelope = try fields(body[prefix.count...])
            typeMeta = try fields(envelope.last { $0.number == 1 }?.bytes ?? [])
        } catch {
            throw KubeStatus.badRequest(
                "the object provided is unrecognized (must be of type \(type.kind)): \(error.text) (\(summary(body)))")
        }
        let named = { (n: Int, fallback: String) in
            typeMeta.last { $0.number == n }.map(\.text).flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        let apiVersion = named(1, type.apiVersion)
        let kind = named(2, type.kind)
        guard type.builtIn, KubeProtobufMessages.kinds[kind] == apiVersion else {
            throw KubeStatus.unsupportedMediaType("application/vnd.kubernetes.protobuf", accepted: accepted)
        }
        do throws(Malformed) {
            let object = try message(envelope.last { $0.number == 2 }?.bytes ?? [], kind)
            return .object([("apiVersion", .string(apiVersion)), ("kind", .string(kind))] + object.pairs)
        } catch {
            let version = apiVersion.split(separator: "/").last.map(String.init) ?? apiVersion
            throw KubeStatus.badRequest(
                "\(kind) in version \"\(version)\" cannot be handled as a \(type.kind): \(error.text)")
        }
    }

    /// The start of a body as the apiserver quotes one it cannot read (`summarizeData`): hex, 30 bytes at most.
    private static func summary(_ body: [UInt8]) -> String {
        if body.isEmpty { return "<empty>" }
        let digits = Array("0123456789abcdef")
        let hex = body.prefix(30).map { String([digits[Int($0 >> 4)], digits[Int($0 & 15)]]) }.joined()
        return body.count > 30 ? hex + " ..." : hex
    }

    /// A message of the table as an object: its known fields in table order, each non-pointer
    /// field left out when zero (as `omitempty` does); fields the table lacks are skipped.
    static func message(_ bytes: ArraySlice<UInt8>, _ name: String) throws(Malformed) -> Document {
        let specs = KubeProtobufMessages.table[name] ?? []
        var values: [Int: Document] = [:]
        for field in try fields(bytes) {
            guard let spec = specs.first(where: { $0.number == field.number }) else { continue }
            let isVarint = spec.element == "i" || spec.element == "t"
            guard field.wire == (isVarint && spec.shape != .map ? 0 : 2) else {
                throw Malformed(text: "proto: wrong wireType = \(field.wire) for field \(spec.goName)")
            }
            switch spec.shape {
            case .single: values[spec.number] = try value(field, spec.element)
            case .list:
                values[spec.number] = .array((values[spec.number]?.items ?? []) + [try value(field, spec.element)])
            case .map:
                let entry = try fields(field.bytes)
                let key = entry.last { $0.number == 1 }?.text ?? ""
                let item = try value(entry.last { $0.number == 2 } ?? Field(number: 2, wire: 2), spec.element)
                var map = values[spec.number] ?? .object([])
                map.set(key, item)
                values[spec.number] = .object(map.pairs.sorted { $0.key < $1.key })
            }
        }
        return .object(
            specs.compactMap { spec in
                guard let value = values[spec.number], spec.pointer || !isZero(value) else { return nil }
                return (spec.name, value)
            })
    }

    private static func isZero(_ value: Document) -> Bool {
        value == .string("") || value == .int(0) || value == .bool(false) || value == .object([])
    }

    /// A scalar or nested message: `s` string, `b` bytes (base64, as JSON has them), `i` an
    /// int32/int64, `t` bool, `q` resource.Quantity (its string), `n` IntOrString, else a message.
    private static func value(_ field: Field, _ element: Substring) throws(Malformed) -> Document {
        switch element {
        case "s": return .string(field.text)
        case "b": return .string(Base64.encode(Array(field.bytes)))
        case "i": return .int(Int(Int64(bitPattern: field.value)))
        case "t": return .bool(field.value != 0)
        case "q": return .string(try fields(field.bytes).last { $0.number == 1 }?.text ?? "")
        case "n":
            let parts = try fields(field.bytes)
            if parts.last(where: { $0.number == 1 })?.value == 1 {
                return .string(parts.last { $0.number == 3 }?.text ?? "")
            }
            return .int(Int(Int32(truncatingIfNeeded: parts.last { $0.number == 2 }?.value ?? 0)))
        default: return try message(field.bytes, String(element))
        }
    }

    /// The fields of a message in wire order; groups and unknown wire types are errors, as is
    /// a field running past the end.
    static func fields(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> [Field] {
        var result: [Field] = []
        var i = bytes.startIndex
        func varint() throws(Malformed) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                guard i < bytes.endIndex else { throw Malformed(text: "unexpected EOF") }
                let b = bytes[i]
                i += 1
                value |= UInt64(b & 0x7F) << UInt64(shift)
                if b & 0x80 == 0 { return value }
            }
            throw Malformed(text: "proto: integer overflow")
        }
        while i < bytes.endIndex {
            let tag = try varint()
            var field = Field(number: Int(tag >> 3), wire: Int(tag & 7))
            switch field.wire {
            case 0: field.value = try varint()
            case 1, 2, 5:
                let length = field.wire == 1 ? 8 : field.wire == 5 ? 4 : try varint()
                guard length <= UInt64(bytes.endIndex - i) else { throw Malformed(text: "unexpected EOF") }
                field.bytes = bytes[i..<i + Int(length)]
                i += Int(length)
            default: throw Malformed(text: "proto: illegal wireType \(field.wire)")
            }
            result.append(field)
        }
        return result
    }
}

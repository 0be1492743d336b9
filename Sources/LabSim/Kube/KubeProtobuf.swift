import HLSCore

/// The protobuf request bodies typed clients send (`k8s\0` + `runtime.Unknown`, reference §0),
/// decoded as far as `kubectl create namespace` needs: a Namespace's name, generateName, labels
/// and annotations. Any other kind answers 415, as a server that cannot read it would.
enum KubeProtobuf {
    static let accepted = ["application/json", "application/yaml"]

    static func decode(_ body: [UInt8]) throws(KubeStatus) -> Document {
        let unsupported = KubeStatus.unsupportedMediaType(
            "application/vnd.kubernetes.protobuf", accepted: Self.accepted)
        guard body.count > 4, Array(body[0..<4]) == [0x6B, 0x38, 0x73, 0x00] else { throw unsupported }
        let unknown = fields(body[4...])
        guard let typeMeta = unknown.first(where: { $0.number == 1 })?.bytes,
            let raw = unknown.first(where: { $0.number == 2 })?.bytes
        else { throw unsupported }
        let meta = fields(typeMeta[...])
        let apiVersion = meta.first { $0.number == 1 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
        let kind = meta.first { $0.number == 2 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
        guard apiVersion == "v1", kind == "Namespace" else { throw unsupported }
        var metadata: [(key: String, value: Document)] = []
        for field in fields(raw[...]) where field.number == 1 {
            var labels: [String: String] = [:]
            var annotations: [String: String] = [:]
            for m in fields(field.bytes[...]) {
                let text = String(decoding: m.bytes, as: UTF8.self)
                switch m.number {
                case 1: metadata.append(("name", .string(text)))
                case 2: metadata.append(("generateName", .string(text)))
                case 11, 12:
                    let entry = fields(m.bytes[...])
                    let key = entry.first { $0.number == 1 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
                    let value = entry.first { $0.number == 2 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
                    if m.number == 11 { labels[key] = value } else { annotations[key] = value }
                default: break
                }
            }
            if !labels.isEmpty { metadata.append(("labels", .stringMap(labels))) }
            if !annotations.isEmpty { metadata.append(("annotations", .stringMap(annotations))) }
        }
        return .object([
            ("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("metadata", .object(metadata)),
        ])
    }

    /// The length-delimited fields of a message (varint fields are skipped over).
    static func fields(_ bytes: ArraySlice<UInt8>) -> [(number: Int, bytes: [UInt8])] {
        var result: [(number: Int, bytes: [UInt8])] = []
        var i = bytes.startIndex
        func varint() -> Int? {
            var value = 0
            var shift = 0
            while i < bytes.endIndex {
                let b = bytes[i]
                i += 1
                value |= Int(b & 0x7F) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }
        while i < bytes.endIndex {
            guard let tag = varint() else { break }
            switch tag & 7 {
            case 0: guard varint() != nil else { return result }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(), length >= 0, i + length <= bytes.endIndex else { return result }
                result.append((tag >> 3, Array(bytes[i..<i + length])))
                i += length
            default: return result
            }
        }
        return result
    }
}

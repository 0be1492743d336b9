import HLSCore
import HLSFormats

/// The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic
/// merge patch (community `strategic-merge-patch.md`) for built-in kinds.
enum KubePatches {
    static func mergePatch(_ target: Document, _ patch: Document) -> Document {
        guard case .object(let pairs) = patch else { return patch }
        var result: Document = target.isObject ? target : .object([])
        for (key, value) in pairs {
            if value == .null {
                result.set(key, nil)
            } else {
                result.set(key, mergePatch(result[key] ?? .null, value))
            }
        }
        return result
    }

    /// Applies JSON patch operations; a failed `test` or a missing path is a 422-worthy error text.
    static func jsonPatch(_ target: Document, _ operations: Document) throws(KubeStatus) -> Document {
        guard case .array(let ops) = operations else {
            throw KubeStatus.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var doc = target
        for op in ops {
            let path = try pointer(op.text("path") ?? "")
            switch op.text("op") {
            case "add": doc = try write(doc, path, op["value"] ?? .null, insert: true)
            case "replace":
                guard KubePointer.get(doc, path) != nil else { throw missing(op.text("path") ?? "", "replace") }
                doc = try write(doc, path, op["value"] ?? .null, insert: false)
            case "remove":
                guard KubePointer.get(doc, path) != nil else { throw missing(op.text("path") ?? "", "remove") }
                doc = KubePointer.remove(doc, path)
            case "move", "copy":
                let from = try pointer(op.text("from") ?? "")
                guard let value = KubePointer.get(doc, from) else { throw missing(op.text("from") ?? "", "move") }
                if op.text("op") == "move" { doc = KubePointer.remove(doc, from) }
                doc = try write(doc, path, value, insert: true)
            case "test":
                guard KubePointer.get(doc, path) == op["value"] else {
                    throw KubeStatus(
                        code: 422, reason: "Invalid",
                        message: "the server rejected our request due to an error in our request")
                }
            default:
                throw KubeStatus.badRequest("Unexpected kind: \(op.text("op") ?? "")")
            }
        }
        return doc
    }

    private static func pointer(_ text: String) throws(KubeStatus) -> [String] {
        guard text.isEmpty || text.hasPrefix("/") else { throw KubeStatus.badRequest("invalid JSON pointer \(text)") }
        return text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            String($0).replacingAll("~1", with: "/").replacingAll("~0", with: "~")
        }
    }

    private static func missing(_ path: String, _ op: String) -> KubeStatus {
        KubeStatus(
            code: 500, reason: "InternalError",
            message:
                "Internal error occurred: jsonpatch \(op) operation does not apply: doc is missing path: \"\(path)\"")
    }

    private static func write(_ doc: Document, _ path: [String], _ value: Document, insert: Bool) throws(KubeStatus)
        -> Document
    {
        guard let result = KubePointer.set(doc, path, value, insert: insert) else {
            throw KubeStatus(
                code: 500, reason: "InternalError",
                message: "Internal error occurred: add operation does not apply: doc is missing path: \"/"
                    + path.joined(separator: "/") + "\"")
        }
        return result
    }

    /// A strategic merge patch onto a built-in object.
    static func strategic(_ target: Document, _ patch: Document, field: String? = nil) -> Document? {
        guard case .object(let pairs) = patch else { return patch }
        switch patch.text("$patch") {
        case "replace": return .object(pairs.filter { $0.key != "$patch" })
        case "delete": return nil
        default: break
        }
        var result: Document = target.isObject ? target : .object([])
        for (key, value) in pairs {
            if key == "$patch" || key == "$retainKeys" || key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let name = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let drop = value.items
                result.set(name, .array((result[name] ?? .array([])).items.filter { !drop.contains($0) }))
                continue
            }
            switch value {
            case .null: result.set(key, nil)
            case .object: result.set(key, strategic(result[key] ?? .null, value, field: key))
            case .array(let items): result.set(key, strategicList(result[key]?.items ?? [], items, field: key))
            default: result.set(key, value)
            }
        }
        if let retain = patch["$retainKeys"]?.items.compactMap(\.scalarText) {
            result = .object(result.pairs.filter { retain.contains($0.key) })
        }
        return result
    }

    private static func strategicList(_ have: [Document], _ patch: [Document], field: String) -> Document {
        if KubeListSemantics.isSet(field: field) { return .array(have + patch.filter { !have.contains($0) }) }
        guard let key = KubeListSemantics.mergeKey(field: field, items: patch) else { return .array(patch) }
        if patch.contains(where: { $0.text("$patch") == "replace" }) {
            return .array(patch.filter { $0.text("$patch") != "replace" })
        }
        var result = have
        for item in patch {
            guard let id = item[key] else { continue }
            let index = result.firstIndex { $0[key] == id }
            if item.text("$patch") == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                if let merged = strategic(result[index], item) {
                    result[index] = merged
                } else {
                    result.remove(at: index)
                }
            } else if let merged = strategic(.object([]), item) {
                result.append(merged)
            }
        }
        return .array(result)
    }
}

/// JSON pointers (RFC 6901) over `Document`.
enum KubePointer {
    static func get(_ doc: Document, _ path: [String]) -> Document? {
        var current = doc
        for token in path {
            switch current {
            case .object:
                guard let next = current[token] else { return nil }
                current = next
            case .array(let items):
                guard let i = Int(token), i >= 0, i < items.count else { return nil }
                current = items[i]
            default: return nil
            }
        }
        return current
    }

    static func set(_ doc: Document, _ path: [String], _ value: Document, insert: Bool) -> Document? {
        guard let token = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch doc {
        case .object:
            var copy = doc
            if rest.isEmpty {
                copy.set(token, value)
            } else {
                guard let child = doc[token], let next = set(child, rest, value, insert: insert) else { return nil }
                copy.set(token, next)
            }
            return copy
        case .array(var items):
            if rest.isEmpty {
                if token == "-" {
                    items.append(value)
                } else {
                    guard let i = Int(token), i >= 0, i <= items.count else { return nil }
                    if insert {
                        items.insert(value, at: i)
                    } else if i < items.count {
                        items[i] = value
                    } else {
                        return nil
                    }
                }
                return .array(items)
            }
            guard let i = Int(token), i >= 0, i < items.count, let next = set(items[i], rest, value, insert: insert)
            else {
                return nil
            }
            items[i] = next
            return .array(items)
        default:
            return nil
        }
    }

    static func remove(_ doc: Document, _ path: [String]) -> Document {
        guard let token = path.first else { return doc }
        let rest = Array(path.dropFirst())
        switch doc {
        case .object:
            var copy = doc
            if rest.isEmpty {
                copy.set(token, nil)
            } else if let child = doc[token] {
                copy.set(token, remove(child, rest))
            }
            return copy
        case .array(var items):
            guard let i = Int(token), i >= 0, i < items.count else { return doc }
            if rest.isEmpty { items.remove(at: i) } else { items[i] = remove(items[i], rest) }
            return .array(items)
        default:
            return doc
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

internal import CYAML
import HLSCore

/// Reads YAML text into `YAMLNode`s with libyaml's parser, one document at a time. Anchors hold
/// within their document; an alias becomes a copy of the node its anchor names. A mapping that
/// repeats a key is an error, as with Yams before (docs/adr/0023).
///
/// Two limits keep hostile text from crashing or stalling hlsh (issue 17's fuzzing): nodes
/// nest at most `maxDepth` deep, as JSON's do, and the copies aliases make add at most
/// `aliasBudget` nodes to a document (a "billion laughs" — anchors that each repeat the one
/// before — would otherwise grow exponentially once read).
final class YAMLReader {
    static let maxDepth = JSONParser.maxDepth
    static let aliasBudget = 100_000

    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let file: String
    /// Each anchor's node and how many nodes it holds.
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    /// The nodes aliases have added to the current document.
    private var aliased = 0

    init(_ text: String, file: String) {
        self.file = file
        let bytes = Array(text.utf8)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    /// Every document of the stream (none for an empty text or one of only comments).
    static func documents(_ text: String, file: String) throws(HLSError) -> [YAMLNode] {
        let reader = YAMLReader(text, file: file)
        var documents: [YAMLNode] = []
        while let document = try reader.nextDocument() { documents.append(document) }
        return documents
    }

    /// The root of a text's only document; nil for an empty text. A second document is an error.
    static func single(_ text: String, file: String) throws(HLSError) -> YAMLNode? {
        let reader = YAMLReader(text, file: file)
        guard let root = try reader.nextDocument() else { return nil }
        if let second = try reader.nextDocument() {
            throw reader.error("expected one document, found another", at: second.mark)
        }
        return root
    }

    /// The next document's root node; nil at the end of the stream.
    func nextDocument() throws(HLSError) -> YAMLNode? {
        var event = try next()
        if case .streamStart = event.kind { event = try next() }
        guard case .documentStart = event.kind else { return nil }
        anchors = [:]
        aliased = 0
        let root = try node(from: try next(), depth: 0).node
        _ = try next()  // the document's end
        return root
    }

    private func error(_ cause: String, at mark: YAMLMark) -> HLSError {
        HLSError(.syntax, "invalid YAML", at: .source(mark.location(in: file)), cause: cause)
    }

    /// The node an event begins, and how many nodes it holds (itself and those inside).
    private func node(from event: YAMLEvent, depth: Int) throws(HLSError) -> (node: YAMLNode, size: Int) {
        switch event.kind {
        case .alias(let anchor):
            guard let (node, size) = anchors[anchor] else {
                throw error("undefined alias '*\(anchor)'", at: event.mark)
            }
            aliased += size
            guard aliased <= Self.aliasBudget else {
                throw error(
                    "aliases expand the document by more than \(Self.aliasBudget) nodes (at '*\(anchor)')",
                    at: event.mark)
            }
            return (node, size)
        case .scalar(let text, let tag, let anchor, let plain):
            return remember(.scalar(text, tag: tag, plain: plain, at: event.mark), size: 1, as: anchor)
        case .sequenceStart(let anchor):
            try checkDepth(depth, at: event.mark)
            var items: [YAMLNode] = []
            var size = 1
            while true {
                let item = try next()
                if case .sequenceEnd = item.kind { break }
                let (node, n) = try node(from: item, depth: depth + 1)
                items.append(node)
                size += n
            }
            return remember(.sequence(items, at: event.mark), size: size, as: anchor)
        case .mappingStart(let anchor):
            try checkDepth(depth, at: event.mark)
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var seen: [String: YAMLMark] = [:]
            var size = 1
            while true {
                let keyEvent = try next()
                if case .mappingEnd = keyEvent.kind { break }
                let (key, keySize) = try node(from: keyEvent, depth: depth + 1)
                // As kubectl's reader (sigs.k8s.io/yaml) has it; writing such a key as JSON inside
                // the next made `? ? ? …` exponential (scripts/fuzz).
                guard let text = key.scalarText else {
                    throw error("a mapping key must be a scalar, not a sequence or mapping", at: key.mark)
                }
                if let first = seen[text] {
                    throw error("duplicate key '\(text)' (first at \(first.line):\(first.column))", at: key.mark)
                }
                seen[text] = key.mark
                let (value, valueSize) = try node(from: try next(), depth: depth + 1)
                pairs.append((key, value))
                size += keySize + valueSize
            }
            return remember(.mapping(pairs, at: event.mark), size: size, as: anchor)
        case .streamStart, .streamEnd, .documentStart, .documentEnd, .sequenceEnd, .mappingEnd:
            preconditionFailure("libyaml sent \(event.kind) where a node belongs")
        }
    }

    private func checkDepth(_ depth: Int, at mark: YAMLMark) throws(HLSError) {
        guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) deep", at: mark) }
    }

    private func remember(_ node: YAMLNode, size: Int, as anchor: String?) -> (node: YAMLNode, size: Int) {
        if let anchor { anchors[anchor] = (node, size) }
        return (node, size)
    }

    /// The next event, copied out of libyaml's (which is freed here).
    private func next() throws(HLSError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw parseError() }
        defer { yaml_event_delete(&event) }
        return YAMLEvent(event)
    }

    /// libyaml's problem, placed at its mark: `did not find expected ',' or ']' (while parsing a
    /// flow sequence at 1:4)`.
    private func parseError() -> HLSError {
        let p = parser.pointee
        var cause = p.problem.map { String(cString: $0) } ?? "libyaml error \(p.error.rawValue)"
        if let context = p.context {
            cause += " (\(String(cString: context)) at \(p.context_mark.line + 1):\(p.context_mark.column + 1))"
        }
        // The reader (bad bytes, control characters) gives a byte offset instead of a mark.
        if p.error == YAML_READER_ERROR { return error(cause, at: mark(ofOffset: p.problem_offset)) }
        // A bracket or quote left open is only noticed at the end of the input, where there is
        // nothing to show: point at where it was opened instead (libyaml's context mark).
        if p.context != nil, p.problem_mark.index >= input.count - 1,
            p.context_mark.index < p.problem_mark.index
        {
            let problem = p.problem.map { String(cString: $0) } ?? "libyaml error \(p.error.rawValue)"
            var what = Substring(String(cString: p.context!))
            for prefix in ["while parsing ", "while scanning "] where what.hasPrefix(prefix) {
                what = what.dropFirst(prefix.count)
            }
            return error(
                "\(what) that begins here is not closed: \(problem) before the end of the file",
                at: YAMLMark(p.context_mark))
        }
        return error(cause, at: YAMLMark(p.problem_mark))
    }

    private func mark(ofOffset offset: Int) -> YAMLMark {
        let before = input.prefix(min(offset, input.count))
        let lineStart = (before.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        let line = before.count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let column = String(decoding: before[lineStart...], as: UTF8.self).unicodeScalars.count + 1
        return YAMLMark(line: line, column: column)
    }
}

/// One libyaml event with its strings copied into Swift.
struct YAMLEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd, sequenceEnd, mappingEnd
        case alias(String)
        case scalar(String, tag: String?, anchor: String?, plain: Bool)
        case sequenceStart(anchor: String?)
        case mappingStart(anchor: String?)
    }

    var kind: Kind
    var mark: YAMLMark

    init(_ event: yaml_event_t) {
        mark = YAMLMark(event.start_mark)
        switch event.type {
        case YAML_ALIAS_EVENT:
            kind = .alias(Self.text(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value =
                s.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self)
                } ?? ""
            kind = .scalar(
                value, tag: Self.text(s.tag), anchor: Self.text(s.anchor), plain: s.style == YAML_PLAIN_SCALAR_STYLE)
        case YAML_SEQUENCE_START_EVENT: kind = .sequenceStart(anchor: Self.text(event.data.sequence_start.anchor))
        case YAML_MAPPING_START_EVENT: kind = .mappingStart(anchor: Self.text(event.data.mapping_start.anchor))
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_STREAM_START_EVENT: kind = .streamStart
        default: kind = .streamEnd
        }
    }

    private static func text(_ chars: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        chars.map { String(cString: $0) }
    }
}

extension YAMLMark {
    /// libyaml's 0-based mark.
    init(_ mark: yaml_mark_t) {
        self.init(line: mark.line + 1, column: mark.column + 1)
    }
}

internal import CYAML
import HLSCore

/// Writes a `Document` as block-style YAML with libyaml's emitter: two-space indent, no line
/// wrapping, Unicode as is, keys in document order. A string is left to libyaml's choice of
/// style (plain where YAML allows it) unless a reader would take it for something else — a
/// number, a boolean, null, a timestamp (`YAMLScalar`) — or it is empty or starts or ends with a
/// space; then it is double-quoted. These are the events and settings Yams' `serialize` gave
/// libyaml, so the output is byte for byte what hlsh wrote through Yams.
enum YAMLWriter {
    static func string(_ document: Document) -> String {
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        yaml_emitter_initialize(emitter)
        defer { yaml_emitter_delete(emitter) }
        let output = Output()
        yaml_emitter_set_output(
            emitter,
            { context, buffer, size in
                guard let context, let buffer else { return 1 }
                let output = Unmanaged<Output>.fromOpaque(context).takeUnretainedValue()
                output.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                return 1
            }, Unmanaged.passUnretained(output).toOpaque())
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)

        var ok = emit(emitter) { yaml_stream_start_event_initialize(&$0, YAML_UTF8_ENCODING) }
        ok = ok && emit(emitter) { yaml_document_start_event_initialize(&$0, nil, nil, nil, 1) }
        ok = ok && write(document, to: emitter)
        ok = ok && emit(emitter) { yaml_document_end_event_initialize(&$0, 1) }
        ok = ok && emit(emitter) { yaml_stream_end_event_initialize(&$0) }
        _ = yaml_emitter_flush(emitter)
        withExtendedLifetime(output) {}
        return String(decoding: output.bytes, as: UTF8.self)
    }

    private final class Output {
        var bytes: [UInt8] = []
    }

    private static func write(_ document: Document, to emitter: UnsafeMutablePointer<yaml_emitter_t>) -> Bool {
        switch document {
        case .null: return scalar("null", to: emitter)
        case .bool(let b): return scalar(b ? "true" : "false", to: emitter)
        case .int(let i): return scalar(String(i), to: emitter)
        case .double(let d): return scalar(JSONCodec.format(d), to: emitter)
        case .string(let s):
            let plain = !s.isEmpty && s.first != " " && s.last != " " && YAMLScalar.kindWhenWritten(s) == .string
            return scalar(s, quoted: !plain, to: emitter)
        case .array(let items):
            guard
                emit(emitter, { yaml_sequence_start_event_initialize(&$0, nil, nil, 1, YAML_ANY_SEQUENCE_STYLE) })
            else { return false }
            for item in items where !write(item, to: emitter) { return false }
            return emit(emitter) { yaml_sequence_end_event_initialize(&$0) }
        case .object(let pairs):
            guard emit(emitter, { yaml_mapping_start_event_initialize(&$0, nil, nil, 1, YAML_ANY_MAPPING_STYLE) })
            else { return false }
            for pair in pairs where !scalar(pair.key, to: emitter) || !write(pair.value, to: emitter) { return false }
            return emit(emitter) { yaml_mapping_end_event_initialize(&$0) }
        }
    }

    /// A scalar in the style libyaml picks, or double-quoted.
    private static func scalar(_ text: String, quoted: Bool = false, to emitter: UnsafeMutablePointer<yaml_emitter_t>)
        -> Bool
    {
        var chars = text.utf8CString
        return chars.withUnsafeMutableBufferPointer { chars in
            chars.baseAddress!.withMemoryRebound(to: yaml_char_t.self, capacity: chars.count) { value in
                emit(emitter) {
                    yaml_scalar_event_initialize(
                        &$0, nil, nil, value, Int32(chars.count - 1), 1, 1,
                        quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
                }
            }
        }
    }

    /// Initializes an event with `make` and hands it to the emitter (which frees it).
    private static func emit(
        _ emitter: UnsafeMutablePointer<yaml_emitter_t>, _ make: (inout yaml_event_t) -> Int32
    ) -> Bool {
        var event = yaml_event_t()
        guard make(&event) == 1 else { return false }
        return yaml_emitter_emit(emitter, &event) == 1
    }
}

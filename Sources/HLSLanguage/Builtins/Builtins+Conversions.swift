import HLSCore
import HLSTransport

extension Builtins {
    static let conversions: [CommandSpec] = [
        CommandSpec(
            ["to"], summary: "Render the piped value as JSON, YAML or a table (text)",
            positionals: [Parameter("format", .choice(["json", "yaml", "table"]), "the format")],
            flags: [Flag("compact", "JSON on one line")],
            examples: [Example("[3, 1, 2] | sort | to json --compact", "compact JSON", output: "[1,2,3]\n")],
            takesInput: true,
            implementation: .builtin { inv in
                switch inv.string("format")! {
                case "json":
                    return .string(JSONCodec.encode(inv.input.document, pretty: !inv.flag("compact")))
                case "yaml":
                    var text = YAMLCodec.encode(inv.input.document)
                    if text.hasSuffix("\n") { text.removeLast() }
                    return .string(text)
                default:
                    var text = Render.value(inv.input, format: .table, terminal: .plain)
                    if text.hasSuffix("\n") { text.removeLast() }
                    return .string(text)
                }
            }),
        CommandSpec(
            ["from"], summary: "Parse piped JSON or YAML text into a value",
            positionals: [Parameter("format", .choice(["json", "yaml"]), "the format")],
            examples: [Example(#"'{"cores": 4}' | from json | get cores"#, "read JSON", output: "4\n")],
            takesInput: true,
            implementation: .builtin { inv in
                guard case .string(let text) = inv.input else { throw inv.failure("expects text on its input, got \(inv.input.typeName)") }
                let doc = inv.string("format") == "json" ? try JSONCodec.decode(text, file: "<input>") : try YAMLCodec.decode(text, file: "<input>")
                return Value(doc)
            }),
    ]
}

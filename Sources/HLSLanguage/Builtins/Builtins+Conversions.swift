import HLSCore
import HLSFormats

extension Builtins {
    static let conversions: [CommandSpec] = [
        CommandSpec(
            ["to"], summary: "Render the piped value as JSON, YAML or a table (text)",
            discussion:
                "JSON comes out on one line, ready for a file or an API; --pretty indents it for people (as -o json does).",
            positionals: [Parameter("format", .choice(["json", "yaml", "table"]), "the format")],
            flags: [
                Flag("pretty", "indented JSON, one value per line"), Flag("compact", "JSON on one line (the default)"),
            ],
            examples: [
                Example("[3, 1, 2] | sort | to json", "JSON on one line", output: "[1,2,3]\n"),
                Example(
                    "{name: \"k3s-cp-01\", cores: 4} | to json --pretty", "indented JSON",
                    output: "{\n  \"name\": \"k3s-cp-01\",\n  \"cores\": 4\n}\n"),
                Example(
                    "{name: \"k3s-cp-01\", tags: [k3s, cp]} | to yaml", "YAML",
                    output: "name: k3s-cp-01\ntags:\n- k3s\n- cp\n"),
            ],
            takesInput: true,
            implementation: .builtin { inv in
                switch inv.string("format")! {
                case "json":
                    if inv.flag("pretty") && inv.flag("compact") {
                        throw inv.usage("--pretty and --compact exclude each other")
                    }
                    return .string(JSONCodec.encode(inv.input.document, pretty: inv.flag("pretty")))
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
                guard case .string(let text) = inv.input else {
                    throw inv.failure("expects text on its input, got \(inv.input.typeName)")
                }
                let format = inv.string("format")!
                do {
                    return Value(
                        format == "json"
                            ? try JSONCodec.decode(text, file: "input") : try YAMLCodec.decode(text, file: "input"))
                } catch let e as HLSError {
                    // Bad data is a failed command (exit 1), not a syntax error in the script.
                    throw inv.failure(
                        "the input is not valid \(format)", cause: e.place.map { "\($0): \(e.message)" } ?? e.message)
                }
            }),
    ]
}

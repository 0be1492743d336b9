import HLSCore

extension Builtins {
    static func rows(_ inv: Invocation) throws -> [Value] {
        switch inv.input {
        case .list(let items): return items
        case .null: return []
        default: throw inv.failure("expects a list or table on its input, got \(inv.input.typeName)")
        }
    }

    /// The columns of rows that are records (see `Render.columns`).
    static func columns(_ rows: [Value]) -> [String] {
        Render.columns(rows.compactMap { if case .record(let r) = $0 { return r } else { return nil } })
    }

    /// Field names that no row has are a mistake (a field only some rows have is null in the
    /// others): the error names them, the nearest existing names and all of them.
    static func unknownFields(
        _ names: [String], in columns: [String], of what: String, _ inv: Invocation, noun: String = "column"
    ) -> HLSError? {
        var unknown: [String] = []
        for name in names where !columns.contains(name) && !unknown.contains(name) { unknown.append(name) }
        guard !unknown.isEmpty, !columns.isEmpty else { return nil }
        var hints = unknown.compactMap { name in
            Suggest.didYouMean(name, in: columns).map { unknown.count > 1 ? "'\(name)': \($0)" : $0 }
        }
        hints.append("the \(noun)s are \(columns.joined(separator: ", "))")
        return inv.failure(
            "no \(noun) \(unknown.map { "'\($0)'" }.joined(separator: " or ")) in \(what)",
            hint: hints.joined(separator: "; "))
    }

    static let filters: [CommandSpec] = [
        CommandSpec(
            ["where"], summary: "Keep the rows for which a condition is true",
            discussion: """
                Inside the condition, bare names are the row's fields and $it is the row. A field that only \
                some rows have is null in the others, so a comparison skips them; a field no row has is an error.
                """,
            positionals: [Parameter("condition", .condition, "e.g. status == \"running\" and mem > 4G")],
            examples: [
                Example(
                    #"[{n: "a", up: true}, {n: "b", up: false}] | where up | get n"#, "filter a table by a field",
                    output: "a\n"),
                Example("[1, 5, 10] | where $it > 3 | to json", "filter a list with $it", output: "[5,10]\n"),
            ],
            takesInput: true,
            implementation: .builtin { inv in
                let items = try rows(inv)
                let keep = inv.condition("condition", columns: columns(items))!
                return .list(try items.filter { try keep($0) })
            }),
        CommandSpec(
            ["select"], summary: "Keep only the named fields of a table or record",
            positionals: [Parameter("fields", .string, "field names", variadic: true)],
            examples: [
                Example(
                    #"{name: "k3s-cp-01", cores: 4, ip: "10.0.0.11"} | select name ip | to json"#, "pick fields",
                    output: "{\"name\":\"k3s-cp-01\",\"ip\":\"10.0.0.11\"}\n")
            ],
            takesInput: true,
            implementation: .builtin { inv in
                let fields = inv.list("fields").map(Render.plain)
                func pick(_ v: Value) throws -> Value {
                    guard case .record(let r) = v else { throw inv.failure("expects records, got \(v.typeName)") }
                    return .record(Record(fields.map { (key: $0, value: r[$0] ?? .null) }))
                }
                if case .record(let r) = inv.input {
                    if let e = unknownFields(fields, in: r.keys, of: "the record", inv, noun: "field") { throw e }
                    return try pick(inv.input)
                }
                let items = try rows(inv)
                if let e = unknownFields(fields, in: columns(items), of: "the table", inv) { throw e }
                return .list(try items.map(pick))
            }),
        CommandSpec(
            ["sort"], summary: "Sort a list, or a table by one or more fields",
            positionals: [Parameter("fields", .string, "fields to sort a table by", variadic: true)],
            flags: [Flag("desc", short: "r", "largest first")],
            examples: [
                Example("[3, 1, 2] | sort | to json", "sort numbers", output: "[1,2,3]\n"),
                Example(
                    #"[{n: "a", mem: 8G}, {n: "b", mem: 16G}] | sort mem --desc | get n"#,
                    "sort a table by a field, largest first", output: "b\na\n"),
            ],
            takesInput: true,
            implementation: .builtin { inv in
                let fields = inv.list("fields").map(Render.plain)
                let items = try rows(inv)
                if let e = unknownFields(fields, in: columns(items), of: "the table", inv) { throw e }
                func key(_ v: Value) throws -> [Value] {
                    if fields.isEmpty { return [v] }
                    guard case .record(let r) = v else {
                        throw inv.failure("sorting by a field needs a table, got \(v.aTypeName) row")
                    }
                    // A row without the field sorts after the rows with it.
                    return fields.map { r[$0] ?? .null }
                }
                let keyed = try items.enumerated().map { ($0.offset, try key($0.element), $0.element) }
                var problem: HLSError? = nil
                let sorted = keyed.sorted { a, b in
                    for (x, y) in zip(a.1, b.1) {
                        guard let o = Operators.order(x, y) else {
                            if x.isNull != y.isNull { return y.isNull != inv.flag("desc") }
                            problem = inv.failure("cannot order \(x.typeName) and \(y.typeName)")
                            return a.0 < b.0
                        }
                        if o != 0 { return inv.flag("desc") ? o > 0 : o < 0 }
                    }
                    return a.0 < b.0
                }
                if let problem { throw problem }
                return .list(sorted.map(\.2))
            }),
        CommandSpec(
            ["first"], summary: "The first item, or a list of the first N",
            positionals: [Parameter("n", .int, "how many", optional: true)],
            examples: [
                Example("[7, 8, 9] | first", "the first item", output: "7\n"),
                Example("[7, 8, 9] | first 2 | to json", "the first two", output: "[7,8]\n"),
            ],
            takesInput: true,
            implementation: .builtin { inv in
                let items = try rows(inv)
                guard let n = inv.int("n") else { return items.first ?? .null }
                return .list(Array(items.prefix(max(0, n))))
            }),
        CommandSpec(
            ["last"], summary: "The last item, or a list of the last N",
            positionals: [Parameter("n", .int, "how many", optional: true)],
            examples: [Example("[7, 8, 9] | last", "the last item", output: "9\n")],
            takesInput: true,
            implementation: .builtin { inv in
                let items = try rows(inv)
                guard let n = inv.int("n") else { return items.last ?? .null }
                return .list(Array(items.suffix(max(0, n))))
            }),
        CommandSpec(
            ["count"], summary: "How many items a list has (fields for a record)",
            examples: [Example("[1, 2, 3] | where $it > 1 | count", "count what a filter kept", output: "2\n")],
            takesInput: true,
            implementation: .builtin { inv in
                switch inv.input {
                case .record(let r): return .int(r.count)
                default: return .int(try rows(inv).count)
                }
            }),
        CommandSpec(
            ["each"], summary: "Run a block for every item ($it) and collect the results",
            positionals: [Parameter("block", .block, "the block to run, with $it bound to the item")],
            examples: [
                Example("[1, 2, 3] | each { $it * 10 } | to json", "transform each item", output: "[10,20,30]\n")
            ],
            takesInput: true,
            implementation: .builtin { inv in
                let body = inv.block("block")!
                return .list(try rows(inv).map { try body($0) })
            }),
        CommandSpec(
            ["get"], summary: "A field of a record, or a column of a table (a.b.0 paths too)",
            positionals: [Parameter("field", .string, "the field or path")],
            examples: [Example(#"{vm: {name: "k3s-wk-01", cores: 6}} | get vm.cores"#, "follow a path", output: "6\n")],
            takesInput: true,
            implementation: .builtin { inv in
                let path = inv.string("field")!.split(separator: ".").map(String.init)
                return try Interpreter.field(path, of: inv.input, at: inv.location, variable: nil)
            }),
        CommandSpec(
            ["join"], summary: "Join a list's items into one text, with a separator between them",
            positionals: [Parameter("separator", .string, "put between two items (default: none)", optional: true)],
            examples: [
                Example(
                    #"["k3s-cp-01", "k3s-wk-01"] | join ", ""#, "names for a sentence", output: "k3s-cp-01, k3s-wk-01\n"
                )
            ],
            takesInput: true,
            implementation: .builtin { inv in
                .string(try rows(inv).map { Render.plain($0) }.joined(separator: inv.string("separator") ?? ""))
            }),
        CommandSpec(
            ["lines"], summary: "Split text into a list of lines",
            examples: [Example(#""a\nb" | lines | count"#, "count lines", output: "2\n")],
            takesInput: true,
            implementation: .builtin { inv in
                guard case .string(let s) = inv.input else {
                    throw inv.failure("expects text on its input, got \(inv.input.typeName)")
                }
                // "\r\n" is one Character in Swift, so it must be named as a separator too.
                var parts = s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                    .map(String.init)
                if parts.last == "" { parts.removeLast() }
                return .list(parts.map(Value.string))
            }),
    ]
}

/// A parameter's value as pveproxy hands it on: one string, several (the key was repeated in a
/// form), or something JSON gave that is not a scalar.
enum PVEParamValue: Sendable, Equatable {
    case scalar(String)
    case list([String])
    case structured

    var string: String? {
        if case .scalar(let s) = self { return s }
        return nil
    }
}

typealias PVEParams = [String: PVEParamValue]

/// PVE's JSON-schema subset for API parameters and property strings (pve-common's
/// `PVE::JSONSchema`), re-implemented with its check order and wording: type, format, pattern,
/// length, range, enum — first failure wins, one message per parameter.
struct PVEProp: Sendable {
    enum Kind: Sendable {
        case string, integer, number, boolean
    }

    var kind: Kind
    var optional = true
    var format: PVEFormat? = nil
    /// Anchored at both ends, as PVE does (`m/^$pattern$/`).
    var pattern: String? = nil
    var maxLength: Int? = nil
    var minLength: Int? = nil
    var minimum: Double? = nil
    var maximum: Double? = nil
    var enumValues: [String]? = nil
    /// Property strings: the key a bare value (`local-lvm:32`) belongs to.
    var defaultKey = false

    static func string(
        optional: Bool = true, format: PVEFormat? = nil, pattern: String? = nil, maxLength: Int? = nil,
        enumValues: [String]? = nil, defaultKey: Bool = false
    ) -> PVEProp {
        PVEProp(
            kind: .string, optional: optional, format: format, pattern: pattern, maxLength: maxLength,
            enumValues: enumValues, defaultKey: defaultKey)
    }

    static func integer(optional: Bool = true, minimum: Double? = nil, maximum: Double? = nil, defaultKey: Bool = false)
        -> PVEProp
    {
        PVEProp(kind: .integer, optional: optional, minimum: minimum, maximum: maximum, defaultKey: defaultKey)
    }

    static func number(minimum: Double? = nil, maximum: Double? = nil) -> PVEProp {
        PVEProp(kind: .number, minimum: minimum, maximum: maximum)
    }

    static func boolean(defaultKey: Bool = false) -> PVEProp {
        PVEProp(kind: .boolean, defaultKey: defaultKey)
    }
}

/// A `format`: either a verifier that dies with PVE's words, a list of such values, or a
/// property string (`key=value,...`) with its own schema.
enum PVEFormat: Sendable {
    /// Returns the error text (with trailing newline, as `die` leaves it) or nil if valid.
    case verifier(@Sendable (String) -> String?)
    /// `FORMAT-list`: split on `,;` and whitespace, verify each.
    case list(@Sendable (String) -> String?)
    case properties(PVEPropertyFormat)
}

/// The schema of a property string. `aliases` maps a key to the key it stands for
/// (drives: `volume` → `file`).
struct PVEPropertyFormat: Sendable {
    var properties: [String: PVEProp]
    var aliases: [String: String] = [:]
}

enum PVESchema {
    /// Validates `params` against `properties` like `PVE::JSONSchema::validate` with
    /// `additionalProperties => 0`; returns the per-parameter errors (empty when valid).
    static func validate(_ params: PVEParams, _ properties: [String: PVEProp], allowAdditional: Bool = false)
        -> [(key: String, value: String)]
    {
        var errors: [String: String] = [:]
        for (key, prop) in properties {
            checkProp(params[key], prop, path: key, errors: &errors)
        }
        if !allowAdditional {
            for key in params.keys where properties[key] == nil {
                add(
                    &errors, key,
                    "property is not defined in schema and the schema does not allow additional properties")
            }
        }
        return errors.map { ($0.key, $0.value) }.sorted { $0.key < $1.key }
    }

    static func checkProp(_ value: PVEParamValue?, _ prop: PVEProp, path: String, errors: inout [String: String]) {
        guard let value else {
            if !prop.optional { add(&errors, path, "property is missing and it is not optional") }
            return
        }
        let text: String
        switch value {
        case .list: return add(&errors, path, "type check ('\(typeName(prop.kind))') failed - got ARRAY")
        case .structured: return add(&errors, path, "type check ('\(typeName(prop.kind))') failed - got HASH")
        case .scalar(let s): text = s
        }
        switch prop.kind {
        case .string: break
        case .boolean:
            if text != "1" && text != "0" {
                return add(&errors, path, "type check ('boolean') failed - got '\(text)'")
            }
        case .integer:
            if !isInteger(text) { return add(&errors, path, "type check ('integer') failed - got '\(text)'") }
        case .number:
            if !isNumber(text) { return add(&errors, path, "type check ('number') failed - got '\(text)'") }
        }
        if let format = prop.format {
            if let failure = checkFormat(format, text, path: path) {
                return add(&errors, path, "invalid format - \(failure)")
            }
        }
        if let pattern = prop.pattern, !matches(pattern, text) {
            return add(&errors, path, "value does not match the regex pattern")
        }
        if let max = prop.maxLength, text.count > max {
            return add(&errors, path, "value may only be \(max) characters long")
        }
        if let min = prop.minLength, text.count < min {
            return add(&errors, path, "value must be at least \(min) characters long")
        }
        if isNumber(text), let number = Double(text) {
            if let max = prop.maximum, number > max {
                return add(&errors, path, "value must have a maximum value of \(perlNumber(max))")
            }
            if let min = prop.minimum, number < min {
                return add(&errors, path, "value must have a minimum value of \(perlNumber(min))")
            }
        }
        if let values = prop.enumValues, !values.contains(text) {
            add(
                &errors, path,
                "value '\(text)' does not have a value in the enumeration '\(values.joined(separator: ", "))'")
        }
    }

    /// The text after "invalid format - " when `text` fails `format`, else nil.
    static func checkFormat(_ format: PVEFormat, _ text: String, path: String) -> String? {
        switch format {
        case .verifier(let verify):
            return verify(text)
        case .list(let verify):
            for item in splitList(text) {
                if let failure = verify(item) { return failure }
            }
            return nil
        case .properties(let schema):
            switch parsePropertyString(text, schema, path: path) {
            case .success: return nil
            case .failure(let failure): return failure.text
            }
        }
    }

    struct PropertyStringFailure: Error {
        var text: String
    }

    /// `parse_property_string`: splits `a=1,b=2,bare`, maps aliases and the default key, then
    /// checks each key against the schema. Failures read as PVE's exception text.
    static func parsePropertyString(_ text: String, _ schema: PVEPropertyFormat, path: String)
        -> Result<[String: String], PropertyStringFailure>
    {
        var result: [String: String] = [:]
        var defaultKeyUsed: String?
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if part.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if let eq = part.firstIndex(of: "="), eq != part.startIndex, part.index(after: eq) != part.endIndex {
                var key = String(part[..<eq])
                var value = String(part[part.index(after: eq)...])
                if result[key] != nil {
                    return .failure(.init(text: "duplicate key in comma-separated list property: \(key)\n"))
                }
                if let target = schema.aliases[key] {
                    key = target
                    if result[key] != nil {
                        return .failure(.init(text: "key '\(key)' is already defined (via alias)\n"))
                    }
                }
                guard let prop = schema.properties[key] else {
                    return .failure(.init(text: "invalid key in comma-separated list property: \(key)\n"))
                }
                if prop.kind == .boolean, let b = parseBoolean(value) { value = b }
                result[key] = value
            } else if !part.contains("=") {
                if let used = defaultKeyUsed {
                    return .failure(.init(text: "duplicate key in comma-separated list property: \(used)\n"))
                }
                guard let (key, prop) = schema.properties.first(where: { $0.value.defaultKey }) else {
                    return .failure(.init(text: "value without key, but schema does not define a default key\n"))
                }
                if result[key] != nil {
                    return .failure(.init(text: "duplicate key in comma-separated list property: \(key)\n"))
                }
                defaultKeyUsed = key
                result[key] = prop.kind == .boolean ? (parseBoolean(part) ?? part) : part
            } else {
                return .failure(.init(text: "missing key in comma-separated list property\n"))
            }
        }
        var errors: [String: String] = [:]
        for (key, prop) in schema.properties {
            checkProp(result[key].map(PVEParamValue.scalar), prop, path: "\(path).\(key)", errors: &errors)
        }
        if !errors.isEmpty {
            // PVE raises "format error" and its exception text lists each error on its own line.
            var text = "format error\n"
            for (key, message) in errors.sorted(by: { $0.key < $1.key }) { text += "\(key): \(message)\n" }
            return .failure(.init(text: text))
        }
        return .success(result)
    }

    /// `parse_boolean`: 1|on|yes|true → "1", 0|off|no|false → "0".
    static func parseBoolean(_ s: String) -> String? {
        switch s.lowercased() {
        case "1", "on", "yes", "true": return "1"
        case "0", "off", "no", "false": return "0"
        default: return nil
        }
    }

    /// `PVE::Tools::split_list`: items separated by `,`, `;`, NUL or whitespace.
    static func splitList(_ s: String) -> [String] {
        s.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\0" || $0.isWhitespace }).map(String.init)
    }

    static func isInteger(_ s: String) -> Bool {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        return !body.isEmpty && body.allSatisfy(\.isASCIIDigit)
    }

    static func isNumber(_ s: String) -> Bool {
        matches(#"[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?"#, s)
    }

    /// Whole-string match of a PVE (Perl-compatible, simple) pattern.
    static func matches(_ pattern: String, _ s: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: s)) != nil
    }

    private static func add(_ errors: inout [String: String], _ path: String, _ message: String) {
        if let old = errors[path] {
            errors[path] = old + "\\n" + message  // PVE joins with a literal backslash-n
        } else {
            errors[path] = message
        }
    }

    private static func typeName(_ kind: PVEProp.Kind) -> String {
        switch kind {
        case .string: return "string"
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        }
    }

    /// Perl prints whole numbers without a fraction.
    static func perlNumber(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

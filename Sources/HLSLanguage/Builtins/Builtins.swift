/// The language's own verbs: output, filters, conversions, waiting and secrets. Object verbs
/// (`vm`, `node`, …) are registered by HLSCommands in the same registry.
public enum Builtins {
    public static func register(into registry: inout Registry) {
        for spec in output + filters + conversions + control + secrets { registry.register(spec) }
        registry.registerObject("secret", summary: "values that print as *** and never reach logs or history")
    }

    /// A registry with only the builtins: what `hlsh -n` and the language tests use when no
    /// command module is linked.
    public static var registry: Registry {
        var r = Registry()
        register(into: &r)
        return r
    }
}

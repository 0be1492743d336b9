public import HLSLanguage

/// The command layer: where the language meets the domain clients. Each object (`lab`, `vm`,
/// `node`, …) declares its verbs here, once, and they join the language's builtins in one
/// registry that drives parsing, help and completion.
public enum Commands {
    /// Every verb hlsh knows.
    public static func registry() -> Registry {
        var registry = Registry()
        Builtins.register(into: &registry)
        LabCommands.register(into: &registry)
        VMCommands.register(into: &registry)
        NodeCommands.register(into: &registry)
        KubeCommands.register(into: &registry)
        FluxCommands.register(into: &registry)
        SecretCommands.register(into: &registry)
        GitOpsCommands.register(into: &registry)
        CertCommands.register(into: &registry)
        VolumeCommands.register(into: &registry)
        SimCommands.register(into: &registry)
        registry.register(HistoryCommand.spec)
        registry.register(ProbeCommand.spec)
        return registry
    }
}

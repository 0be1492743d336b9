/// hlsh's version, printed by `hlsh --version` and sent as the HTTP User-Agent.
public enum HLSVersion {
    public static let string = "0.1.0"
}

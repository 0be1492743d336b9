public import HLSCore

/// Which lines the history file may keep: none that carries a secret. A line that does is kept
/// for the session only (`LineEditor.addHistory(_:transient:)`): Up recalls it until the next line
/// is entered, and it is never written — dropped, not masked, so that no recalled line runs with
/// `***` in place of its token (ADR 0062).
public enum HistoryFilter {
    /// False for a line that carries a secret of a known shape anywhere (`SecretShapes`: a PVE
    /// API token, a GitHub token, an age identity, a k3s join token, a PEM private key, a
    /// `--token VALUE` or `password=…`), or that names one (`password`, `--token`,
    /// `Authorization:`, a kubeconfig's `client-key-data`), or builds a secret from a literal
    /// (`secret "…"`) — nor one typed with a leading space, as bash's `HISTCONTROL=ignorespace`
    /// and zsh's `HIST_IGNORE_SPACE` keep it out: the way to keep a secret of no recognisable
    /// shape (a Cloudflare token looks like a git hash) out of the file.
    public static func mayRecord(_ line: String) -> Bool {
        if line.first == " " || line.first == "\t" { return false }
        if SecretShapes.contains(line) { return false }
        let lower = line.lowercased()
        let markers = [
            "pveapitoken=", "password", "passwd", "bearer ", "--token", "token=", "secret=", "authorization:",
            "api_token", "apitoken", "::server:", "::node:", "age-secret-key-", "private key-----", "client-key-data",
            "ls0tls1crudjti",
        ]
        if markers.contains(where: { lower.contains($0) }) { return false }
        // `secret "literal"` style: a secret whose text is typed on the line.
        if lower.contains(#/secret\s+(literal|["'])/#) { return false }
        return true
    }
}

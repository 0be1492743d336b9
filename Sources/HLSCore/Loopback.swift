/// Whether `host` (a name or an address as written in a URL or ssh target) is this machine's
/// loopback: what a rehearsal under `--sim` may reach, and nothing else.
public func isLoopbackHost(_ host: String) -> Bool {
    let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
}

public import HLSCore
import HLSTransport

/// Where the Proxmox VE API is: `https://HOST:8006/api2/json`.
///
/// Accepts what people write: `https://pve1.lan:8006/`, `https://pve1.lan:8006/api2/json`,
/// `pve1.lan` (https and port 8006 assumed), `pve1.lan:8443`, `https://[fd00::2]:8006`. An
/// explicit scheme without a port keeps that scheme's port (443 behind a reverse proxy); a path
/// prefix other than `/api2/json` is kept (`https://proxy/pve/` → `https://proxy/pve/api2/json`).
/// User info, query strings and fragments are refused: credentials never go in the URL.
public struct PVEEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https` or `http`.
    public let scheme: String
    /// The host as written, IPv6 addresses in brackets.
    public let host: String
    public let port: Int
    /// Any path before `/api2/json`, without a trailing slash (usually empty).
    public let pathPrefix: String

    /// `https://HOST:PORT[/prefix]/api2/json`: API paths are appended to it.
    public var baseURL: String { "\(scheme)://\(host):\(port)\(pathPrefix)\(Proxmox.apiRoot)" }

    /// `https://HOST:PORT/` as bpg's `PROXMOX_VE_ENDPOINT` wants it.
    public var description: String { "\(scheme)://\(host):\(port)\(pathPrefix)/" }

    public init(scheme: String = "https", host: String, port: Int = Proxmox.defaultPort, pathPrefix: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    /// Parses an endpoint as a user wrote it; `.usage` error when it is not one.
    public init(parsing text: String) throws(HLSError) {
        let trimmed = text.trimmingWhitespace()
        func bad(_ why: String) -> HLSError {
            HLSError(
                .configuration, "invalid Proxmox VE endpoint '\(Redaction.redactURL(trimmed))': \(why)",
                hint: "write it as https://HOST:8006/ (PROXMOX_VE_ENDPOINT or proxmox.endpoint)")
        }
        guard !trimmed.isEmpty else { throw bad("it is empty") }
        var rest = Substring(trimmed)
        var scheme = "https"
        var explicitScheme = false
        if let range = rest.firstRange(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            guard scheme == "https" || scheme == "http" else { throw bad("the scheme must be https (or http)") }
            rest = rest[range.upperBound...]
            explicitScheme = true
        }
        guard !rest.contains("?"), !rest.contains("#") else { throw bad("it must not have a query or fragment") }
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        guard !authority.contains("@") else {
            throw bad(
                "it must not contain user info; give credentials in PROXMOX_VE_API_TOKEN or PROXMOX_VE_USERNAME/PASSWORD"
            )
        }
        var host: String
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("unclosed '[' in the host") }
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad("unexpected text after the host") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty, host != "[]" else { throw bad("it names no host") }
        guard host.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw bad("the host has spaces or non-ASCII characters")
        }
        host = host.lowercased()
        let port: Int
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw bad("the port must be 1–65535")
            }
            port = number
        } else {
            port = explicitScheme ? (scheme == "https" ? 443 : 80) : Proxmox.defaultPort
        }
        while path.hasSuffix("/") { path.removeLast() }
        if path.hasSuffix(Proxmox.apiRoot) { path.removeLast(Proxmox.apiRoot.count) }
        while path.hasSuffix("/") { path.removeLast() }
        self.init(scheme: scheme, host: host, port: port, pathPrefix: path)
    }
}

internal import CSSH2
import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Host key verification against an OpenSSH known_hosts file, through libssh2's known-hosts
/// store. The file is read line by line (a line libssh2 cannot parse — a certificate
/// authority, a key type it does not know — is skipped instead of ending the read), and a new
/// host is appended as one line; the file is never rewritten.
struct SSHKnownHosts {
    let path: String

    /// The outcome of a check, before the policy is applied.
    enum Verdict: Equatable {
        case match
        case notFound
        /// The key on file, base64, and the 1-based line it is on when it can be found.
        case mismatch(storedKey: String, line: Int?)
        case revoked(line: Int)
    }

    /// Checks `key` for `endpoint`, applies `policy` (recording a new host for `.acceptNew`),
    /// and throws unless the connection may go ahead.
    func verify(
        _ key: SSHHostKey, sessionKeyType: Int32, for endpoint: SSHEndpoint, policy: SSHHostKeyPolicy,
        session: OpaquePointer
    ) throws(HLSError) {
        let verdict = try check(
            key, sessionKeyType: sessionKeyType, name: endpoint.knownHostsName, session: session, endpoint: endpoint)
        let place = Place.host(endpoint.description)
        let name = endpoint.knownHostsName
        switch verdict {
        case .match:
            return
        case .notFound:
            if policy == .acceptNew {
                try record(key, name: name, endpoint: endpoint)
                return
            }
            throw HLSError(
                .failed,
                "host key of \(name) is not known: the server offered \(key.shortTypeName) key \(key.fingerprint)",
                at: place,
                hint: "check that fingerprint on the host itself (on its console: ssh-keygen -lf "
                    + "/etc/ssh/ssh_host_\(key.shortTypeName.lowercased())_key.pub); if it matches, connect once "
                    + "with --accept-new (host key policy accept-new), which adds the key to \(path)")
        case .mismatch(let storedKey, let line):
            let stored = Fingerprint.sha256(ofBase64Key: storedKey).map { " but \(location(line)) has \($0)" } ?? ""
            let offered = "\(key.shortTypeName) key \(key.fingerprint)"
            throw HLSError(
                .failed, "HOST KEY OF \(name) HAS CHANGED: the server offered \(offered)\(stored)", at: place,
                hint: "someone may be intercepting the connection (a man-in-the-middle attack), or the host was "
                    + "reinstalled. Check the new fingerprint on the host itself; only if the change is expected, "
                    + "remove the old entry: ssh-keygen -R '\(name)' -f \(path)")
        case .revoked(let line):
            let offered = "\(key.shortTypeName) key \(key.fingerprint)"
            throw HLSError(
                .failed, "host key of \(name) is revoked: \(offered) is marked @revoked at \(location(line))",
                at: place, hint: "the host must get a new key; do not connect to it until then")
        }
    }

    /// The line OpenSSH would write for `key`: `name type base64`.
    static func line(for key: SSHHostKey, name: String) -> String {
        "\(name) \(key.typeName) \(Data(key.blob).base64EncodedString())"
    }

    private func location(_ line: Int?) -> String {
        line.map { "\(path):\($0)" } ?? path
    }

    /// The file's lines, as bytes; none when it does not exist. Bytes, not `String`s: the
    /// checks below look at a line's first bytes and host field, and only the few lines that
    /// could name the host become text (walking every line's characters, for every host of a
    /// fan-out, was most of hlsh's CPU in one: docs/adr/0051).
    private func lines() throws(HLSError) -> [ArraySlice<UInt8>] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HLSError.unreadable(path, "the known hosts file", kind: .configuration, hint: "check its permissions")
        }
        return [UInt8](data).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    /// What libssh2's store says about `key` under `name` (`host` or `[host]:port`, matched
    /// exactly as OpenSSH does — no fallback from `[host]:port` to `host`).
    func check(
        _ key: SSHHostKey, sessionKeyType: Int32, name: String, session: OpaquePointer, endpoint: SSHEndpoint
    ) throws(HLSError) -> Verdict {
        let lines = try lines()
        let keyBase64 = Data(key.blob).base64EncodedString()
        for (index, line) in lines.enumerated() where line.starts(with: "@revoked".utf8) {
            let text = String(decoding: line, as: UTF8.self)
            if text.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains(where: { $0 == keyBase64 }) {
                return .revoked(line: index + 1)
            }
        }

        guard let store = libssh2_knownhost_init(session) else {
            throw HLSError.libssh2(LIBSSH2_ERROR_ALLOC, session: session, while: "reading known hosts", at: endpoint)
        }
        defer { libssh2_knownhost_free(store) }
        for line in lines {
            let start = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            guard let first = start.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "@") else { continue }
            guard Self.hostField(of: start, mayMatch: name) else { continue }
            let trimmed = String(decoding: start, as: UTF8.self).trimmingWhitespace()
            _ = trimmed.withCString {
                libssh2_knownhost_readline(store, $0, strlen($0), LIBSSH2_KNOWNHOST_FILE_OPENSSH)
            }
        }

        let typemask =
            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW
            | SSHHostKeyType.knownHostMask(forSessionType: sessionKeyType)
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let result = key.blob.withUnsafeBufferPointer { blob in
            blob.withMemoryRebound(to: CChar.self) { raw in
                libssh2_knownhost_checkp(store, name, -1, raw.baseAddress, raw.count, typemask, &entry)
            }
        }
        switch result {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return .match
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            return .notFound
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            let stored = entry.flatMap { $0.pointee.key }.map { String(cString: $0) } ?? ""
            let line =
                stored.isEmpty
                ? nil : lines.firstIndex { String(decoding: $0, as: UTF8.self).contains(stored) }.map { $0 + 1 }
            return .mismatch(storedKey: stored, line: line)
        default:
            throw HLSError.libssh2(
                LIBSSH2_ERROR_KNOWN_HOSTS, session: session, while: "checking the host key against \(path)",
                at: endpoint)
        }
    }

    /// Whether the host field of a known_hosts `line` (its first word) could stand for `name`:
    /// it lists `name` itself (ASCII case ignored), or an entry that is not a plain name — a
    /// hashed `|1|…` one or a pattern — which libssh2 then judges. Only such lines are handed to
    /// libssh2: parsing every line's key for every connection made the checks of a fan-out
    /// grow with hosts × lines (docs/adr/0051).
    static func hostField(of line: some Collection<UInt8>, mayMatch name: String) -> Bool {
        let field = line.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        let wanted = name.utf8
        for entry in field.split(separator: UInt8(ascii: ",")) {
            if entry.first == UInt8(ascii: "|") || entry.contains(where: isPatternByte) { return true }
            if entry.count == wanted.count
                && zip(entry, wanted).allSatisfy({ asciiLowercased($0) == asciiLowercased($1) })
            {
                return true
            }
        }
        return false
    }

    private static func isPatternByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "!")
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// Appends `key` for `name`, creating the file (0600) and its directory (0700) as needed.
    func record(_ key: SSHHostKey, name: String, endpoint: SSHEndpoint) throws(HLSError) {
        let place = Place.host(endpoint.description)
        let directory = FilePaths.directory(of: path)
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw HLSError(
                    .failed, "cannot create \(directory) to record the host key", at: place,
                    cause: HLSError.describe(error))
            }
        }
        var text = Self.line(for: key, name: name) + "\n"
        if let existing = FileManager.default.contents(atPath: path), let last = existing.last,
            last != UInt8(ascii: "\n")
        {
            text = "\n" + text
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HLSError(
                .failed, "cannot record the host key in \(path)", at: place, cause: String(cString: strerror(errno)))
        }
        defer { _ = close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw HLSError(
                .failed, "cannot record the host key in \(path)", at: place, cause: String(cString: strerror(errno)))
        }
    }
}

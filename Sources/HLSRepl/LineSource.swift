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

/// Something that yields lines: standard input when it is not a terminal, a test's text.
public protocol LineSource {
    /// The next line without its newline; nil at the end.
    mutating func nextLine() -> String?
}

/// Lines from a file descriptor, read in chunks (no editing, no prompt).
public struct FileHandleLines: LineSource {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    public init(fd: Int32) { self.fd = fd }

    public mutating func nextLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            // A read that SIGTERM or SIGHUP interrupted ends the input.
            if n < 0 && errno == EINTR && Termination.signal == nil { continue }
            if n <= 0 {
                finished = true
            } else {
                buffer += chunk[0..<n]
            }
        }
    }
}

/// Lines of a string (tests).
public struct StringLines: LineSource {
    private var lines: [Substring]
    public init(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        lines.reverse()
    }
    public mutating func nextLine() -> String? { lines.popLast().map(String.init) }
}

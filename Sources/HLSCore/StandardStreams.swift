#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to the process's standard streams without buffering surprises: each call is written
/// out at once with write(2), so interleaving with child output stays ordered.
public enum StandardStreams {
    public static func out(_ text: String) { write(text, to: STDOUT_FILENO) }

    public static func err(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Writes all of `text` (a closed pipe or a full disk drops the rest).
    public static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Glibc)
                    let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                #else
                    let n = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                #endif
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    /// Everything left on standard input.
    public static func readAll() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(STDIN_FILENO, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }
}

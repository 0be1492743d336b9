import HLSCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A script's text with its name, kept so diagnostics can quote the offending line.
public final class SourceFile: Sendable {
    public let name: String
    /// The text as UTF-8, the one copy of it that lexing, parsing and diagnostics read.
    public let bytes: [UInt8]

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init(name: String, text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }

    /// Every line's bytes without its newline, in order: `lines()[n - 1]` is `line(n)`, for many
    /// lines of one file.
    public func lines() -> [ArraySlice<UInt8>] {
        bytes.split(separator: 10, omittingEmptySubsequences: false)
    }

    /// `bytes` must be valid UTF-8 (`load(_:)` checks it).
    init(name: String, validUTF8 bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// The script at `path`, read into one buffer without a `String` in between; a UTF-8 byte
    /// order mark at its start is not part of the text. Nil, with `errno` set, when it cannot
    /// be read or is not UTF-8 (`EILSEQ`).
    public static func load(_ path: String) -> SourceFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        // One byte more than its size, to notice a file that grew (or a pipe: size 0).
        var capacity = Int(info.st_size) + 1
        var bytes: [UInt8] = []
        while true {
            var failed = false
            let chunk = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                SourceFile.prefault(buffer)
                while count < buffer.count {
                    let n = read(fd, buffer.baseAddress! + count, buffer.count - count)
                    if n < 0 && errno == EINTR { continue }
                    failed = n < 0
                    if n <= 0 { return }
                    count += n
                }
            }
            guard !failed else { return nil }
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
            if chunk.count < capacity { break }
            capacity = 65536
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard (try? UTF8Span(validating: bytes.span)) != nil else {
            errno = EILSEQ
            return nil
        }
        return SourceFile(name: path, validUTF8: bytes)
    }

    /// Maps the pages of a large fresh buffer in one call (`MADV_POPULATE_WRITE`, Linux 5.14)
    /// rather than one page fault each as `read` fills it: 82 faults for the benchmark's
    /// 334 KB runbook, which cost more than the copy on a VM. Older kernels refuse the advice,
    /// and the pages then fault in as before.
    private static func prefault(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        #if os(Linux)
            let page = 4096
            guard buffer.count >= 16 * page, let base = buffer.baseAddress else { return }
            let start = (UInt(bitPattern: base) + UInt(page - 1)) & ~UInt(page - 1)
            let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(page - 1)
            guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(aligned, Int(end - start), 23)  // MADV_POPULATE_WRITE
        #endif
    }

    /// The text of 1-based line `n`, without its newline.
    public func line(_ n: Int) -> String? {
        var current = 1
        var start = 0
        var i = 0
        while i < bytes.count {
            if current == n { break }
            if bytes[i] == 10 {
                current += 1
                start = i + 1
            }
            i += 1
        }
        guard current == n, start <= bytes.count else { return nil }
        var end = start
        while end < bytes.count && bytes[end] != 10 { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

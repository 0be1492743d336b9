import HLSCore

extension AgeFile {
    /// The header of an age file, as read: stanzas, the MAC, and where things end.
    struct Header {
        struct Stanza {
            var type: String
            /// Every argument after `->`, the type first.
            var arguments: [String]
            var body: [UInt8]
        }

        var stanzas: [Stanza] = []
        var mac: [UInt8] = []
        /// The header's bytes the MAC covers end here (just after `---`).
        var macInputEnd = 0
        /// The payload starts here.
        var end = 0

        init(parsing bytes: [UInt8]) throws(HLSError) {
            var position = 0
            func line() throws(HLSError) -> String {
                guard let newline = bytes[position...].firstIndex(of: 0x0A) else {
                    throw HLSError(.failed, "failed to read header: unexpected end of header")
                }
                let text = String(decoding: bytes[position..<newline], as: UTF8.self)
                position = newline + 1
                return text
            }
            guard try line() == AgeFile.intro else {
                throw HLSError(.failed, "failed to read header: unexpected intro", hint: "is this an age file?")
            }
            while true {
                let start = position
                let text = try line()
                if text.hasPrefix("---") {
                    let words = text.split(separator: " ", omittingEmptySubsequences: false)
                    guard words.count == 2, words[0] == "---", let mac = AgeFile.rawBase64Decode(String(words[1])),
                        mac.count == 32
                    else { throw HLSError(.failed, "failed to read header: malformed closing line") }
                    self.mac = mac
                    macInputEnd = start + 3
                    end = position
                    return
                }
                guard text.hasPrefix("-> ") else { throw HLSError(.failed, "failed to read header: malformed stanza") }
                let arguments = text.dropFirst(3).split(separator: " ", omittingEmptySubsequences: false).map(
                    String.init)
                guard !arguments.isEmpty,
                    arguments.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x21...0x7E).contains($0) } })
                else { throw HLSError(.failed, "failed to read header: malformed stanza arguments") }
                var body = ""
                while true {
                    let part = try line()
                    guard part.count <= 64 else {
                        throw HLSError(.failed, "failed to read header: stanza line too long")
                    }
                    body += part
                    if part.count < 64 { break }
                }
                guard let decoded = AgeFile.rawBase64Decode(body) else {
                    throw HLSError(.failed, "failed to read header: malformed stanza body")
                }
                stanzas.append(Stanza(type: arguments[0], arguments: arguments, body: decoded))
            }
        }
    }
}

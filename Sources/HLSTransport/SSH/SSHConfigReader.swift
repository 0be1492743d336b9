import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SSHConfig {
    /// Turns config text into checked entries: splits lines into keyword and arguments
    /// (quotes, `Key=Value`, comments), follows `Include`s and checks every value hlsh uses.
    struct Reader {
        let home: String
        /// OpenSSH's limit on nested Includes.
        static let maxDepth = 16

        func read(file: String, depth: Int, warnings: inout [Warning]) throws(HLSError) -> [Entry] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw HLSError.unreadable(
                    file, "the ssh config", kind: .configuration,
                    at: .source(SourceLocation(file: file, line: 1, column: 1)), hint: "check the file's permissions")
            }
            return try parse(String(decoding: data, as: UTF8.self), file: file, depth: depth, warnings: &warnings)
        }

        func parse(_ text: String, file: String, depth: Int, warnings: inout [Warning]) throws(HLSError) -> [Entry] {
            var entries: [Entry] = []
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, rawLine) in lines.enumerated() {
                let place = SourceLocation(file: file, line: index + 1, column: 1)
                guard let (keyword, arguments) = try Self.split(String(rawLine), at: place) else { continue }
                if let entry = try entry(
                    keyword.lowercased(), keyword, arguments, at: place, depth: depth, warnings: &warnings)
                {
                    entries.append(entry)
                }
            }
            return entries
        }

        private func entry(
            _ key: String, _ keyword: String, _ args: [String], at place: SourceLocation, depth: Int,
            warnings: inout [Warning]
        ) throws(HLSError) -> Entry? {
            func one() throws(HLSError) -> String {
                guard let first = args.first else {
                    throw Self.error("\(keyword) needs a value", at: place, hint: "write it as `\(keyword) VALUE`")
                }
                return first
            }
            switch key {
            case "host":
                guard !args.isEmpty else {
                    throw Self.error(
                        "Host needs at least one pattern", at: place, hint: "for example `Host node1 node*`")
                }
                return .host(args)
            case "match":
                if args.map({ $0.lowercased() }) == ["all"] { return .match(all: true) }
                warnings.append(
                    Warning(
                        place: place,
                        message: "`Match \(args.joined(separator: " "))` is not supported by hlsh; "
                            + "its block is skipped (use Host blocks)"))
                return .match(all: false)
            case "include":
                guard !args.isEmpty else { throw Self.error("Include needs a file", at: place, hint: nil) }
                guard depth < Self.maxDepth else {
                    throw Self.error(
                        "Include nested too deeply (more than \(Self.maxDepth) levels)", at: place,
                        hint: "is a file including itself?")
                }
                var nested: [Entry] = []
                for pattern in args {
                    var path = SSHConfigTokens.expandTilde(pattern, home: home)
                    if !path.hasPrefix("/") { path = home + "/.ssh/" + path }
                    for file in Self.expandGlob(path) {
                        nested += try read(file: file, depth: depth + 1, warnings: &warnings)
                    }
                }
                return .include(nested)
            case "hostname":
                let value = try one()
                if let token = SSHConfigTokens.unknownToken(in: value, allowed: ["h", "%"]) {
                    throw Self.error(
                        "HostName has an unknown token %\(token)", at: place, hint: "only %h and %% are allowed here")
                }
                return .option(.hostName(value))
            case "user":
                return .option(.user(try one()))
            case "port":
                let value = try one()
                guard let port = UInt16(value), port > 0 else {
                    throw Self.error("bad port \"\(value)\"", at: place, hint: "a port is a number from 1 to 65535")
                }
                return .option(.port(port))
            case "identityfile":
                let value = try one()
                if let token = SSHConfigTokens.unknownToken(in: value, allowed: SSHConfigTokens.pathTokens) {
                    throw Self.error(
                        "IdentityFile has an unknown token %\(token)", at: place,
                        hint: "known tokens: %h %p %r %u %d %n %l %i %%")
                }
                return .option(.identityFile(SSHConfigTokens.expandTilde(value, home: home)))
            case "identitiesonly":
                return .option(.identitiesOnly(try Self.flag(one(), keyword, at: place)))
            case "proxyjump":
                let value = try one()
                if value.lowercased() == "none" { return .option(.proxyJump([])) }
                let hops = value.split(separator: ",").map(String.init)
                for hop in hops {
                    do throws(HLSError) {
                        _ = try SSHTarget.parse(hop)
                    } catch {
                        throw Self.error(
                            "bad ProxyJump host \"\(hop)\": \(error.message)", at: place,
                            hint: "write it as [user@]host[:port]")
                    }
                }
                return .option(.proxyJump(hops))
            case "userknownhostsfile":
                _ = try one()
                if args.count == 1 && args[0].lowercased() == "none" { return .option(.userKnownHostsFiles([])) }
                for file in args {
                    if let token = SSHConfigTokens.unknownToken(in: file, allowed: SSHConfigTokens.pathTokens) {
                        throw Self.error("UserKnownHostsFile has an unknown token %\(token)", at: place, hint: nil)
                    }
                }
                return .option(.userKnownHostsFiles(args.map { SSHConfigTokens.expandTilde($0, home: home) }))
            case "stricthostkeychecking":
                switch try one().lowercased() {
                case "yes", "true", "ask": return .option(.strictHostKeyChecking(.yes))
                case "accept-new": return .option(.strictHostKeyChecking(.acceptNew))
                case "no", "false", "off": return .option(.strictHostKeyChecking(.no))
                case let other:
                    throw Self.error(
                        "bad StrictHostKeyChecking value \"\(other)\"", at: place,
                        hint: "use yes, accept-new, no or ask")
                }
            case "connecttimeout":
                return .option(.connectTimeout(try Self.time(one(), keyword, at: place)))
            case "serveraliveinterval":
                return .option(.serverAliveInterval(try Self.time(one(), keyword, at: place)))
            case "serveralivecountmax":
                let value = try one()
                guard let count = Int(value), count >= 0 else {
                    throw Self.error(
                        "bad ServerAliveCountMax \"\(value)\"", at: place, hint: "a whole number such as 3")
                }
                return .option(.serverAliveCountMax(count))
            case "identityagent":
                return .option(.identityAgent(SSHConfigTokens.expandTilde(try one(), home: home)))
            default:
                return nil
            }
        }

        static func error(_ message: String, at place: SourceLocation, hint: String?) -> HLSError {
            HLSError(.syntax, "ssh config: \(message)", at: .source(place), hint: hint)
        }

        static func flag(_ value: String, _ keyword: String, at place: SourceLocation) throws(HLSError) -> Bool {
            switch value.lowercased() {
            case "yes", "true": return true
            case "no", "false": return false
            default: throw error("bad \(keyword) value \"\(value)\"", at: place, hint: "use yes or no")
            }
        }

        /// OpenSSH's time format: seconds, or numbers with `s`, `m`, `h`, `d`, `w` (`1m30s`).
        static func time(_ value: String, _ keyword: String, at place: SourceLocation) throws(HLSError) -> Duration {
            var total: Int64 = 0
            var number: Int64?
            for c in value.lowercased() {
                if let digit = c.wholeNumberValue, c.isASCII {
                    number = (number ?? 0) * 10 + Int64(digit)
                    continue
                }
                let unit: Int64
                switch c {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                case "d": unit = 86400
                case "w": unit = 604800
                default:
                    throw error("bad \(keyword) \"\(value)\"", at: place, hint: "seconds, or a time such as 30s, 1m30s")
                }
                guard let n = number else {
                    throw error("bad \(keyword) \"\(value)\"", at: place, hint: "seconds, or a time such as 30s, 1m30s")
                }
                total += n * unit
                number = nil
            }
            if let number { total += number }
            guard !value.isEmpty else { throw error("\(keyword) needs a value", at: place, hint: nil) }
            return .seconds(total)
        }

        /// The keyword and its arguments; nil for a blank or comment line. `Key=Value` and
        /// `Key Value` both work; arguments may be quoted with `"` (or `'`), and an unquoted
        /// argument starting with `#` ends the line.
        static func split(_ line: String, at place: SourceLocation) throws(HLSError) -> (String, [String])? {
            let chars = Array(line)
            var i = 0
            func skipSpace() {
                while i < chars.count && (chars[i] == " " || chars[i] == "\t" || chars[i] == "\r") { i += 1 }
            }
            skipSpace()
            guard i < chars.count, chars[i] != "#" else { return nil }
            var keyword = ""
            while i < chars.count, !" \t\r=".contains(chars[i]) {
                keyword.append(chars[i])
                i += 1
            }
            skipSpace()
            if i < chars.count && chars[i] == "=" {
                i += 1
                skipSpace()
            }
            var args: [String] = []
            while i < chars.count {
                skipSpace()
                guard i < chars.count else { break }
                if chars[i] == "#" { break }
                var arg = ""
                while i < chars.count, chars[i] != " ", chars[i] != "\t", chars[i] != "\r" {
                    let c = chars[i]
                    if c == "\"" || c == "'" {
                        i += 1
                        var closed = false
                        while i < chars.count {
                            if chars[i] == c {
                                closed = true
                                break
                            }
                            if chars[i] == "\\" && i + 1 < chars.count && (chars[i + 1] == c || chars[i + 1] == "\\") {
                                i += 1
                            }
                            arg.append(chars[i])
                            i += 1
                        }
                        guard closed else {
                            throw error(
                                "unterminated quote in \(keyword)", at: place, hint: "close the \(c) on the same line")
                        }
                        i += 1
                    } else {
                        if c == "\\" && i + 1 < chars.count { i += 1 }
                        arg.append(chars[i])
                        i += 1
                    }
                }
                args.append(arg)
            }
            return (keyword, args)
        }

        /// The files `pattern` names, sorted (none when nothing matches).
        static func expandGlob(_ pattern: String) -> [String] {
            var result = glob_t()
            defer { globfree(&result) }
            guard glob(pattern, 0, nil, &result) == 0 else { return [] }
            var files: [String] = []
            for i in 0..<Int(result.gl_pathc) {
                if let path = result.gl_pathv[i] { files.append(String(cString: path)) }
            }
            return files.sorted()
        }
    }
}

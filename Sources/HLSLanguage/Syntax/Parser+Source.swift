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

extension Parser {
    /// `source "lib.hls"` with a literal path: reads and checks the file now, so `hlsh -n`
    /// reports its errors (at its own file:line:col) and a missing file, and calls of the `def`s
    /// it declares are known while this file is checked. A file already being sourced on the
    /// way here (a cycle) is not read again. A computed path can only be read when it runs;
    /// then calls of unknown names are left for run time.
    mutating func noteSourced(_ pathExpression: Expression) {
        guard case .literal(.string(let path), _, let at) = pathExpression else {
            hasComputedSource = true
            return
        }
        let resolved = SourcePath.resolve(path, from: source.name)
        let identity = SourcePath.identity(resolved)
        guard !sourceChain.contains(identity) else { return }
        guard let file = SourceFile.load(resolved) else {
            report(Diagnostic(.unreadable(resolved, hint: SourcePath.hint), at: at))
            return
        }
        var inner = Parser(source: file, registry: registry)
        inner.definitions = definitions
        inner.depth = depth
        inner.sourceChain = sourceChain.union([SourcePath.identity(source.name), identity])
        // Only checked here (it runs when the statement does): its `def`s are known by name.
        inner.keepsStatements = false
        _ = inner.parseStatements(until: nil)
        definitions.formUnion(inner.definitions)
        hasComputedSource = hasComputedSource || inner.hasComputedSource
        // Its unknown names are checked with this file's, once every `def` is known.
        diagnostics += inner.allDiagnostics()
        unresolved += inner.unresolved
        sourced += [inner.source] + inner.sourced
        if inner.tooDeep { abandon() }
    }
}

/// Where `source` finds a file: an absolute path as is; a relative one from the directory of
/// the script that sources it (from the working directory for `-c`, stdin and the REPL).
enum SourcePath {
    static let hint = "a relative path is taken from the directory of the script that sources it"

    static func resolve(_ path: String, from file: String) -> String {
        guard !path.hasPrefix("/"), !file.hasPrefix("<") else { return path }
        let dir = FilePaths.directory(of: file)
        return dir.isEmpty ? path : dir + "/" + path
    }

    /// One name per file however it is spelt (`lib/./a.hls`, `lib/../lib/a.hls`, a symlink),
    /// to tell a cycle; the path itself when the file does not exist.
    static func identity(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }
}

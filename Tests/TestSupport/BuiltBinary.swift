import Foundation

/// The `hlsh` binary under test: `$HLSH_BIN` when set (scripts/test sets it to the release
/// build), else the one beside the test bundle in the build products directory.
public enum BuiltBinary {
    public static var hlsh: String {
        if let path = ProcessInfo.processInfo.environment["HLSH_BIN"], !path.isEmpty { return path }
        return productsDirectory + "/hlsh"
    }

    /// The build products directory, absolute (tests may run the binary from another directory).
    public static var productsDirectory: String {
        var path = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            path = (bundle.bundlePath as NSString).deletingLastPathComponent
            break
        }
        if !path.hasPrefix("/") { path = FileManager.default.currentDirectoryPath + "/" + path }
        return (path as NSString).standardizingPath
    }

    /// Runs hlsh with a clean, predictable environment (no colour, a private state dir).
    public static func run(
        _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
        currentDirectory: String? = nil
    ) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "FORCE_COLOR")
        for (k, v) in extra { env[k] = v }
        return try runProcess(hlsh, arguments, stdin: stdin ?? "", environment: env, currentDirectory: currentDirectory)
    }
}

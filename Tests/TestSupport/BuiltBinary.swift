import Foundation

/// The `hlsh` binary under test: `$HLSH_BIN` when set (scripts/test sets it to the release
/// build), else the one beside the test bundle in the build products directory.
public enum BuiltBinary {
    public static var hlsh: String {
        if let path = ProcessInfo.processInfo.environment["HLSH_BIN"], !path.isEmpty { return path }
        return productsDirectory + "/hlsh"
    }

    public static var productsDirectory: String {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return (bundle.bundlePath as NSString).deletingLastPathComponent
        }
        return (CommandLine.arguments[0] as NSString).deletingLastPathComponent
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

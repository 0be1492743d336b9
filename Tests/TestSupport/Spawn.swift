import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program with `posix_spawn` and `waitpid`, its output collected through temporary
/// files — for children that leave daemons behind (tmux's server) or close inherited
/// descriptors, which make Foundation's `Process` block forever.
public func spawnAndWait(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws
    -> ProcessResult
{
    let dir = FileManager.default.temporaryDirectory.path
    let stamp = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let outPath = "\(dir)/hlsh-spawn-\(stamp).out"
    let errPath = "\(dir)/hlsh-spawn-\(stamp).err"
    defer {
        unlink(outPath)
        unlink(errPath)
    }
    let child = try SpawnedProcess(
        path, arguments, environment: environment, stdoutPath: outPath, stderrPath: errPath, append: false)
    let status = child.wait()
    return ProcessResult(
        status: status,
        stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

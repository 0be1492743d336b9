import HLSCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The namespaces a simulated node runs in (docs/adr, "simulated nodes in namespaces of their
/// own"): bubblewrap (`bwrap`) starts a program with the node's tree as `/`, in a mount, PID, UTS
/// and IPC namespace of its own, so the program and everything it starts see only the node's
/// files and die with it. The network stays the host's (the node's sshd listens on loopback).
///
/// What the node sees:
/// - `/`: its tree, writable: its own `/etc`, `/var`, `/root`, `/home`, `/tmp`, and the fake
///   `/proc` and `/sys` files the stand-in commands keep (no procfs or sysfs is mounted);
/// - `/usr`: the tree's own `usr` with the host's programs and libraries bound read-only into
///   it, except what describes a machine rather than runs one (`usr/local`, and in `usr/lib` the
///   units, sysctl, module and udev rules, `os-release` and the stand-in commands), which stays
///   the node's; `/bin`, `/sbin`, `/lib*` are the usr-merge symlinks, as on Ubuntu;
/// - from the host's `/etc` only what the bound programs need to run, read-only: the dynamic
///   linker's cache and Debian's alternatives (`awk` is `/etc/alternatives/awk`);
/// - `/dev`: a minimal one (null, zero, random, tty, a private devpts); `/run`: a fresh tmpfs with
///   `/run/sshd` and, read-only at `/run/hlsh-sim`, what the simulator hands the node.
///
/// As root, the node's root keeps only the capabilities that act on its own files and let sshd
/// switch users (no `CAP_NET_ADMIN`, `CAP_SYS_ADMIN`, `CAP_SYS_MODULE`, …: the host's network,
/// mounts and kernel stay out of reach). As any other user, a user namespace maps that user to
/// itself and the node has no capabilities at all.
struct NodeNamespace {
    static let bwrap = "/usr/bin/bwrap"
    /// Where the node sees `handedDirectory` (read-only).
    static let handedPath = "/run/hlsh-sim"

    /// The node's tree on the host.
    let root: String
    /// A host directory the node sees read-only at `handedPath`.
    let handedDirectory: String
    let hostname: String

    /// What a node's `/usr/lib` keeps of its own instead of the host's.
    static let nodeOwnedLibraries: Set<String> = [
        "hlsh-sim", "systemd", "sysctl.d", "modules-load.d", "modprobe.d", "tmpfiles.d", "sysusers.d", "udev",
        "os-release", "modules",
    ]
    /// The host's files beneath the node's `/etc`.
    static let hostEtc = ["/etc/ld.so.cache", "/etc/alternatives"]
    /// Capabilities the node's root keeps when hlsh runs as root.
    static let rootCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SYS_CHROOT", "CAP_AUDIT_WRITE",
    ]

    /// The host paths the node sees read-only, as the node names them (`/usr/bin`, …).
    var hostPaths: [String] { Self.hostUsrEntries().map(\.path) + Self.hostEtc }

    /// Writes what the node finds at `handedPath`: `node` (its name: the proof, for the stand-in
    /// commands, that they run on a simulated node), `host-paths` (what of `/` is the host's, one
    /// path a line) and `files` (name, text).
    func handOver(_ files: [(String, String)]) throws(HLSError) {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: handedDirectory, withIntermediateDirectories: true)
        let all = [("node", hostname + "\n"), ("host-paths", hostPaths.joined(separator: "\n") + "\n")] + files
        for (file, text) in all where !fm.createFile(atPath: "\(handedDirectory)/\(file)", contents: Data(text.utf8)) {
            throw HLSError(.failed, "cannot write \(handedDirectory)/\(file) for simulated node \(hostname)")
        }
    }

    /// Makes the tree ready to be `/`: the usr-merge symlinks and the host's symbolic links in
    /// `/usr` and `/usr/lib` (bubblewrap cannot lay a link over one that exists), then returns
    /// `bwrap`'s arguments that run `program` inside.
    func arguments(running program: [String]) throws(HLSError) -> [String] {
        guard FileManager.default.isExecutableFile(atPath: Self.bwrap) else {
            throw HLSError(
                .failed, "the simulated node \(hostname) needs bubblewrap (\(Self.bwrap)) to run in a root of its own",
                hint: "install it: apt-get install bubblewrap")
        }
        var arguments = [
            "--die-with-parent", "--unshare-pid", "--unshare-uts", "--unshare-ipc", "--hostname", hostname,
        ]
        if geteuid() == 0 {
            arguments += ["--cap-drop", "ALL"] + Self.rootCapabilities.flatMap { ["--cap-add", $0] }
        } else {
            arguments += ["--unshare-user"]
        }
        arguments += [
            "--bind", root, "/", "--dev", "/dev", "--tmpfs", "/run", "--dir", "/run/sshd",
            "--ro-bind", handedDirectory, Self.handedPath,
        ]
        // The node's disks (files holding what blkid finds) and their by-id links, over the fresh /dev.
        let devices = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/dev")) ?? []).sorted()
        for name in devices where name == "disk" || name.hasPrefix("sd") {
            arguments += ["--bind", "\(root)/dev/\(name)", "/dev/\(name)"]
        }
        for link in ["bin", "sbin", "lib", "lib64"] { try symlink("usr/" + link, at: link) }
        for entry in Self.hostUsrEntries() {
            if let destination = entry.link {
                try symlink(destination, at: String(entry.path.dropFirst()))
            } else {
                arguments += ["--ro-bind", entry.path, entry.path]
            }
        }
        for file in Self.hostEtc { arguments += ["--ro-bind-try", file, file] }
        return arguments + ["--chdir", "/", "--"] + program
    }

    /// The host's entries of `/usr` and `/usr/lib` a node sees, with the destination of those that
    /// are symbolic links.
    static func hostUsrEntries() -> [(path: String, link: String?)] {
        let fm = FileManager.default
        func entries(_ directory: String, skipping: Set<String>) -> [(path: String, link: String?)] {
            ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted().filter { !skipping.contains($0) }.map {
                let path = directory + "/" + $0
                return (path, try? fm.destinationOfSymbolicLink(atPath: path))
            }
        }
        return entries("/usr", skipping: ["lib", "local"]) + entries("/usr/lib", skipping: nodeOwnedLibraries)
    }

    /// A symbolic link `relative` (under the tree) to `destination`, unless one is there already.
    private func symlink(_ destination: String, at relative: String) throws(HLSError) {
        let path = root + "/" + relative
        let fm = FileManager.default
        if (try? fm.destinationOfSymbolicLink(atPath: path)) == destination { return }
        do {
            try fm.createDirectory(
                atPath: FilePaths.directory(of: path), withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: path, withDestinationPath: destination)
        } catch {
            throw HLSError(
                .failed, "cannot lay the link /\(relative) into simulated node \(hostname)",
                hint: "the node's tree has something else at \(path)", cause: "\(error)")
        }
    }
}

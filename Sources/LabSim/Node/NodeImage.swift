/// The files of a fresh Ubuntu 24.04 ("noble") cloud-image VM that the node scripts read, with the
/// kernel's defaults in `/proc/sys` and the stubs' initial state: ssh listening on 22 through
/// `ssh.socket`, multipathd and apport running (both are in the server cloud image; apport sets
/// `fs.suid_dumpable` to 2 each time it starts), a few packages, the modules loaded at boot.
enum NodeImage {
    static let directories = [
        "etc/systemd/system", "etc/modules-load.d", "etc/sysctl.d", "tmp", "var/log",
        "sys/module/ext4", "sys/module/nf_tables", "dev/disk/by-id",
    ]

    static func files(_ machine: SimulatedNodeRoot.Machine) -> [(String, String)] {
        var files: [(String, String)] = [
            ("etc/os-release", osRelease),
            ("etc/hostname", machine.hostname + "\n"),
            ("etc/fstab", fstab(swap: machine.swapFile)),
            ("etc/ssh/sshd_config", sshdConfig),
            ("etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication no\n"),
            ("etc/sysctl.conf", "# /etc/sysctl.conf - Configuration file for setting system variables\n"),
            ("etc/sysctl.d/10-network-security.conf", networkSecurity),
            (
                "etc/apt/apt.conf.d/20auto-upgrades",
                "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n"
            ),
            ("etc/apt/apt.conf.d/50unattended-upgrades", unattendedUpgrades),
            (
                "etc/modules-load.d/modules.conf",
                "# /etc/modules is obsolete and has been replaced by /etc/modules-load.d/.\n"
            ),
            ("usr/lib/systemd/system/ssh.service", unit("OpenBSD Secure Shell server", "/usr/sbin/sshd -D")),
            (
                "usr/lib/systemd/system/ssh.socket",
                "[Unit]\nDescription=OpenBSD Secure Shell server socket\n\n[Socket]\nListenStream=22\nAccept=no\n\n[Install]\nWantedBy=sockets.target\n"
            ),
            ("etc/multipath.conf", "defaults {\n    user_friendly_names yes\n}\n"),
            (
                "usr/lib/systemd/system/multipathd.service",
                unit("Device-Mapper Multipath Device Controller", "/sbin/multipathd -d -s")
            ),
            ("etc/default/apport", apportDefaults),
            // The real unit runs /usr/share/apport/apport; the stub lives with the other stubs.
            (
                "usr/lib/systemd/system/apport.service",
                unit("Apport autoreport", "/usr/lib/hlsh-sim/bin/apport --start")
            ),
            (
                "usr/lib/systemd/system/apt-daily-upgrade.timer",
                "[Unit]\nDescription=Daily apt upgrade and clean activities\n"
            ),
            ("proc/sys/kernel/osrelease", machine.kernel + "\n"),
            ("proc/sys/kernel/hostname", machine.hostname + "\n"),
            ("proc/cpuinfo", cpuinfo(machine.cpus)),
            ("proc/meminfo", meminfo(machine)),
            ("proc/uptime", "\(machine.uptimeSeconds).17 \(machine.uptimeSeconds * 3).02\n"),
            ("proc/swaps", swaps(machine.swapFile)),
            (
                "proc/modules",
                "ext4 1093632 1 - Live 0x0000000000000000\nnf_tables 376832 0 - Live 0x0000000000000000\n"
            ),
            ("var/lib/hlsh-sim/listening", "0.0.0.0:22\n[::]:22\n"),
            ("var/lib/hlsh-sim/addresses", "\(machine.interface) \(machine.address)\n"),
            ("var/lib/hlsh-sim/systemd/ssh.service.active", ""),
            ("var/lib/hlsh-sim/systemd/ssh.service.enabled", ""),
            ("var/lib/hlsh-sim/systemd/apt-daily-upgrade.timer.enabled", ""),
            ("var/lib/hlsh-sim/systemd/ssh.socket.active", ""),
            ("var/lib/hlsh-sim/systemd/ssh.socket.enabled", ""),
            ("var/lib/hlsh-sim/systemd/multipathd.service.active", ""),
            ("var/lib/hlsh-sim/systemd/multipathd.service.enabled", ""),
            ("var/lib/hlsh-sim/systemd/apport.service.active", ""),
            ("var/lib/hlsh-sim/systemd/apport.service.enabled", ""),
        ]
        if machine.swapFile { files.append(("swap.img", "simulated swap area\n")) }
        for (name, bytes, _) in machine.disks {
            files.append(("sys/block/\(name)/size", "\(bytes / 512)\n"))
            // The cloud image's disk carries its GPT; any other disk is new and empty.
            files.append(
                ("dev/\(name)", name == machine.disks.first?.name ? "PTUUID=\(rootDiskPTUUID)\nPTTYPE=gpt\n" : ""))
        }
        if let root = machine.disks.first?.name {
            files.append(("proc/mounts", "/dev/\(root)1 / ext4 rw,relatime,discard,errors=remount-ro,commit=30 0 0\n"))
        }
        files.append(("sys/block/loop0/size", "0\n"))
        for package in [
            "openssh-server", "unattended-upgrades", "iproute2", "curl", "procps", "multipath-tools", "apport",
        ] {
            files.append(("var/lib/hlsh-sim/dpkg/\(package)", "1.0-sim\n"))
        }
        for (key, value) in sysctlDefaults {
            files.append(("proc/sys/" + key.split(separator: ".").joined(separator: "/"), value + "\n"))
        }
        return files
    }

    /// The partition table's UUID of the cloud image's disk, as blkid reports it.
    static let rootDiskPTUUID = "5a1b0c7e-3f4d-4b8a-9c2e-6d7f8e9a0b1c"

    /// The `dev/disk/by-id` links udev makes for QEMU SCSI disks (`scsi-0QEMU_QEMU_HARDDISK_drive-scsi1`
    /// → `../../sdb`), for the disks in a SCSI slot.
    static func diskLinks(_ machine: SimulatedNodeRoot.Machine) -> [(String, String)] {
        machine.disks.filter { $0.slot.hasPrefix("scsi") }.map {
            ("dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-\($0.slot)", "../../\($0.name)")
        }
    }

    /// The kernel's values on a fresh noble VM for the keys hardening touches (Ubuntu's own
    /// sysctl.d already applied: rp_filter 2, ptrace_scope 1, apport's suid_dumpable 2).
    static let sysctlDefaults: [(String, String)] = [
        ("net.ipv4.ip_forward", "0"),
        ("fs.protected_hardlinks", "1"), ("fs.protected_symlinks", "1"), ("fs.protected_fifos", "1"),
        ("fs.protected_regular", "2"), ("fs.suid_dumpable", "2"),
        ("kernel.kptr_restrict", "1"), ("kernel.kexec_load_disabled", "0"), ("kernel.sysrq", "176"),
        ("kernel.randomize_va_space", "2"), ("kernel.yama.ptrace_scope", "1"),
        ("net.ipv4.conf.all.rp_filter", "2"), ("net.ipv4.conf.default.rp_filter", "2"),
        ("net.ipv4.icmp_echo_ignore_broadcasts", "1"), ("net.ipv4.icmp_ignore_bogus_error_responses", "1"),
        ("net.ipv4.tcp_syncookies", "1"), ("net.ipv4.tcp_rfc1337", "0"),
        ("net.ipv4.conf.all.accept_source_route", "0"), ("net.ipv4.conf.default.accept_source_route", "0"),
        ("net.ipv6.conf.all.accept_source_route", "0"), ("net.ipv6.conf.default.accept_source_route", "0"),
        ("net.ipv4.conf.all.send_redirects", "1"), ("net.ipv4.conf.default.send_redirects", "1"),
        ("net.ipv4.conf.all.accept_redirects", "1"), ("net.ipv4.conf.default.accept_redirects", "1"),
        ("net.ipv4.conf.all.secure_redirects", "1"), ("net.ipv4.conf.default.secure_redirects", "1"),
        ("net.ipv6.conf.all.accept_redirects", "1"), ("net.ipv6.conf.default.accept_redirects", "1"),
        ("net.ipv4.conf.all.log_martians", "0"), ("net.ipv4.conf.default.log_martians", "0"),
        ("vm.mmap_min_addr", "65536"), ("vm.mmap_rnd_bits", "28"), ("vm.mmap_rnd_compat_bits", "8"),
    ]

    static let osRelease = """
        PRETTY_NAME="Ubuntu 24.04.1 LTS"
        NAME="Ubuntu"
        VERSION_ID="24.04"
        VERSION="24.04.1 LTS (Noble Numbat)"
        VERSION_CODENAME=noble
        ID=ubuntu
        ID_LIKE=debian
        HOME_URL="https://www.ubuntu.com/"
        UBUNTU_CODENAME=noble

        """

    static func fstab(swap: Bool) -> String {
        var text = """
            LABEL=cloudimg-rootfs\t/\t ext4\tdiscard,commit=30,errors=remount-ro\t0 1
            LABEL=BOOT\t/boot\text4\tdefaults\t0 2
            LABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1

            """
        if swap { text += "/swap.img\tnone\tswap\tsw\t0\t0\n" }
        return text
    }

    static func swaps(_ swap: Bool) -> String {
        var text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
        if swap { text += "/swap.img                               file\t\t2097148\t\t0\t\t-2\n" }
        return text
    }

    static let sshdConfig = """

        # This is the sshd server system-wide configuration file.  See
        # sshd_config(5) for more information.

        Include /etc/ssh/sshd_config.d/*.conf

        #PermitRootLogin prohibit-password
        #PasswordAuthentication yes
        KbdInteractiveAuthentication no
        UsePAM yes
        X11Forwarding yes
        PrintMotd no
        AcceptEnv LANG LC_*
        Subsystem\tsftp\t/usr/lib/openssh/sftp-server

        """

    static let apportDefaults = """
        # set this to 0 to disable apport, or to 1 to enable it
        # you can temporarily override this with
        # sudo service apport start force_start=1
        enabled=1

        """

    static let networkSecurity = """
        # Turn on Source Address Verification in all interfaces to prevent some spoofing attacks.
        net.ipv4.conf.default.rp_filter=2
        net.ipv4.conf.all.rp_filter=2

        """

    static let unattendedUpgrades = """
        Unattended-Upgrade::Allowed-Origins {
        \t"${distro_id}:${distro_codename}";
        \t"${distro_id}:${distro_codename}-security";
        \t"${distro_id}ESMApps:${distro_codename}-apps-security";
        \t"${distro_id}ESM:${distro_codename}-infra-security";
        };
        //Unattended-Upgrade::Automatic-Reboot "false";

        """

    static func unit(_ description: String, _ execStart: String) -> String {
        "[Unit]\nDescription=\(description)\n\n[Service]\nExecStart=\(execStart)\n\n[Install]\nWantedBy=multi-user.target\n"
    }

    static func cpuinfo(_ cpus: Int) -> String {
        (0..<cpus).map {
            "processor\t: \($0)\nvendor_id\t: AuthenticAMD\nmodel name\t: QEMU Virtual CPU version 2.5+\n\n"
        }
        .joined()
    }

    static func meminfo(_ machine: SimulatedNodeRoot.Machine) -> String {
        let kb = machine.memoryBytes / 1024
        let swapKB = machine.swapFile ? 2_097_148 : 0
        return "MemTotal:       \(kb) kB\nMemFree:        \(kb / 2) kB\nMemAvailable:   \(kb * 3 / 4) kB\n"
            + "SwapTotal:       \(swapKB) kB\nSwapFree:        \(swapKB) kB\n"
    }
}

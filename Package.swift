// swift-tools-version: 6.0
// hlsh — the homelab shell. Targets are laid out by layer; data flows down, never up:
//
//   hlsh (executable) → HLSRepl → HLSCommands → HLSLanguage → HLSFormats → HLSCore
//                                     ↓
//        Proxmox · Remote · Inventory · Kube (domain clients) → HLSTransport → C shims
//                                                      → HLSFormats
//   HLSFormats: the JSON/YAML codecs, the one module that imports libyaml (docs/adr/0017, 0020).
//   HLSTransport: HTTP and SSH, for the clients; HLSLanguage never depends on it.
//   HLSCrypto: digests and HMAC from swift-crypto, for HLSTransport and LabSim; HLSCore, HLSFormats
//   and HLSLanguage never depend on it (docs/adr/0019).
//   LabSim (simulator) → HLSCore, HLSCrypto, HLSFormats, swift-nio and swift-certificates: never a
//   client (Proxmox, Kube, Remote, Inventory), never HLSTransport (docs/adr/0008). Neither it nor
//   HLSLanguage has an edge to HLSTransport or Kube; scripts/test rejects the imports too. Its
//   users: hlsh (`--sim`) and HLSCommands (`sim serve`), both through `SimulatedLab`.
//
// Each C library sits behind exactly one Swift module, which imports it `internal`ly.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

// No target sets its own optimisation level: the shipped build (scripts/build-release) compiles
// every Swift module for size, dependencies included, with `-Xswiftc -Osize`, the one way to reach
// them; it comes after a target's own flags, so a per-target `-O` would not hold. The lexer's and
// parser's hot functions are `@_optimize(speed)` instead (issue 11, docs/adr/0023).

/// The POSIX sh scripts hlsh sends to a node (Sources/Remote/NodeScripts), compiled into the binary.
let nodeScripts = ["lib.sh", "facts.sh", "harden.sh", "disks.sh", "k3s.sh"]
/// The simulated node's stub commands and k3s (Sources/LabSim/Node) and the git host's gate
/// (Sources/LabSim/Git), compiled into the simulator.
let nodeStubs =
    [
        "hlsh-sim.sh", "apt-get", "curl", "dpkg-query", "ip", "modprobe", "nft", "sshd", "sudo", "swapoff", "swapon",
        "sysctl", "systemctl", "journalctl", "ss", "lsmod", "apport", "nft-json.awk", "blkid", "mkfs.ext4",
        "mount", "findmnt",
    ].map { "Node/bin/\($0)" } + ["Node/k3s-install.sh", "Node/k3s-binary.sh", "Git/git-gate.sh"]

let package = Package(
    name: "hlsh",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hlsh", targets: ["hlsh"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    ],
    targets: [
        // MARK: C libraries, each behind one thin module
        // Each module defines the library's functions hlsh calls as stubs that dlopen the library
        // on first use (docs/adr/0016), so the binary needs none of them at start: the system
        // headers are used for types and constants, and nothing links libcurl, libssh2, libedit,
        // libssl or libcrypto. Building needs the -dev packages below; running needs only the
        // libraries, and only for what uses them.
        /// dlopen on first use, shared by the C library modules; no Swift module imports it.
        .target(name: "CLazyLoad", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        /// libedit (apt: libedit-dev): typed wrappers for its variadic calls.
        .target(name: "CLibEdit", dependencies: ["CLazyLoad"]),
        /// libcurl (apt: libcurl4-openssl-dev): typed wrappers for its variadic calls.
        .target(name: "CCurl", dependencies: ["CLazyLoad"]),
        /// libssh2 (apt: libssh2-1-dev): functions for its function-like macros.
        .target(name: "CSSH2", dependencies: ["CLazyLoad"]),
        /// Process-level C helpers Swift cannot express: a SIGINT handler that only sets a flag.
        .target(name: "CHlshSupport"),
        /// libyaml (apt: libyaml-dev), headers only: HLSFormats links libyaml.a (docs/adr/0020).
        .systemLibrary(name: "CYAML"),
        /// Certificate-fingerprint pinning for libcurl (apt: libssl-dev): an OpenSSL verify
        /// callback, which must be C, using the OpenSSL libcurl loaded.
        .target(name: "CCurlTLS", dependencies: ["CCurl", "CLazyLoad"]),

        // MARK: Shared basics
        .target(name: "HLSCore", dependencies: ["CHlshSupport"], swiftSettings: strict),
        /// JSON and YAML ↔ `Document`; the one module that imports libyaml (`CYAML`).
        .target(
            name: "HLSFormats", dependencies: ["HLSCore", "CYAML"], swiftSettings: strict,
            // Statically, so running hlsh needs no libyaml (docs/adr/0020); macOS has no libyaml.a
            // in a standard place, so there it is the Homebrew library.
            linkerSettings: [
                .linkedLibrary(":libyaml.a", .when(platforms: [.linux])),
                .linkedLibrary("yaml", .when(platforms: [.macOS])),
            ]),

        /// Digests and HMAC from swift-crypto (docs/adr/0019); the C-free layers never depend on it.
        .target(
            name: "HLSCrypto", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),

        // MARK: Transports
        .target(
            name: "HLSTransport",
            dependencies: ["HLSCore", "HLSCrypto", "CCurl", "CCurlTLS", "CSSH2"],
            swiftSettings: strict),

        // MARK: Domain clients
        .target(name: "Inventory", dependencies: ["HLSCore", "HLSFormats", "HLSTransport"], swiftSettings: strict),
        .target(
            name: "Proxmox", dependencies: ["HLSCore", "HLSFormats", "HLSTransport", "Inventory"],
            swiftSettings: strict),
        /// The Kubernetes API client: kubeconfig, discovery, get/list/watch, apply, eviction.
        .target(name: "Kube", dependencies: ["HLSCore", "HLSFormats", "HLSTransport"], swiftSettings: strict),
        /// age and SOPS, as the `age` and `sops` programs read and write them (docs/adr/0027).
        .target(
            name: "Secrets",
            dependencies: ["HLSCore", "HLSFormats", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .target(
            name: "Remote", dependencies: ["HLSCore", "HLSFormats", "HLSTransport", "Inventory"],
            resources: nodeScripts.map { .embedInCode("NodeScripts/\($0)") },
            swiftSettings: strict),

        // MARK: Language, commands, REPL
        .target(
            name: "HLSLanguage",
            dependencies: ["HLSCore", "HLSFormats"],
            swiftSettings: strict),
        .target(
            name: "HLSCommands",
            dependencies: [
                "HLSCore", "HLSCrypto", "HLSLanguage", "HLSTransport", "Inventory", "Proxmox", "Remote", "Kube",
                "Secrets", "LabSim",
                // Already linked through LabSim; `cert show` reads the issued certificate with it.
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict),
        .target(
            name: "HLSRepl", dependencies: ["HLSCore", "HLSLanguage", "HLSCommands", "HLSFormats", "CLibEdit"],
            swiftSettings: strict),

        // MARK: Lab simulator (independent of every client)
        .target(
            name: "LabSim",
            dependencies: [
                "HLSCore", "HLSCrypto", "HLSFormats",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: nodeStubs.map { .embedInCode($0) },
            swiftSettings: strict),

        // MARK: The binary
        .executableTarget(
            name: "hlsh",
            dependencies: ["HLSCore", "HLSLanguage", "HLSCommands", "HLSRepl", "LabSim"],
            swiftSettings: strict,
            // The shipped binary exports no symbols: `--static-swift-stdlib` links with
            // `-export-dynamic`, which put 30,000 symbols in the dynamic table (3.2 MB) and kept
            // every public function alive past `--gc-sections`. `--icf=safe` folds identical
            // functions whose address is not taken (0.35 MB). The executable stays position-
            // independent (`-no-pie` would save 1.8 MB but give up ASLR for the image); lld packs its
            // relative relocations as RELR instead (`-z pack-relative-relocs`, 1.6 MB; glibc 2.36+,
            // docs/adr/0023 amendment 4). libstdc++ is linked statically: `scripts/link/` holds a
            // `libstdc++.so` that is a linker script naming `libstdc++.a`, found before the
            // system's by the runtime's `-lstdc++` (+70 KB; the loader's start-up work falls from
            // 2.5 M to 0.9 M instructions). The functions a start, `-n` and a one-line `-c` run
            // are placed together at the start of .text (`scripts/link/startup-order.txt`, written by
            // scripts/startup-order): 30 fewer page faults at each start (docs/adr/0060).
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "--icf=safe", "-Xlinker", "-z",
                        "-Xlinker", "pack-relative-relocs", "-L", Context.packageDirectory + "/scripts/link",
                        "-Xlinker",
                        "--symbol-ordering-file=" + Context.packageDirectory + "/scripts/link/startup-order.txt",
                        "-Xlinker",
                        "--no-warn-symbol-ordering",
                    ],
                    .when(platforms: [.linux], configuration: .release))
            ]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["HLSCore"], path: "Tests/TestSupport"),
        .testTarget(name: "HLSCoreTests", dependencies: ["HLSCore", "TestSupport"]),
        .testTarget(name: "HLSFormatsTests", dependencies: ["HLSFormats", "HLSCore"]),
        .testTarget(name: "HLSCryptoTests", dependencies: ["HLSCrypto", "HLSCore"]),
        .testTarget(name: "SecretsTests", dependencies: ["Secrets", "HLSCore", "HLSFormats", "TestSupport"]),
        .testTarget(
            name: "HLSTransportTests", dependencies: ["HLSTransport", "HLSCore", "HLSCrypto", "TestSupport"]),
        .testTarget(name: "HLSLanguageTests", dependencies: ["HLSLanguage", "HLSCore", "TestSupport"]),
        .testTarget(name: "HLSReplTests", dependencies: ["HLSRepl", "TestSupport"]),
        .testTarget(name: "HLSHTests", dependencies: ["TestSupport"], exclude: ["Golden"]),
        .testTarget(
            name: "ProxmoxTests",
            dependencies: ["Proxmox", "HLSCore", "HLSFormats", "HLSTransport", "Inventory", "LabSim", "TestSupport"]),
        .testTarget(
            name: "HLSCommandsTests",
            dependencies: [
                "HLSCommands", "HLSLanguage", "HLSCore", "HLSFormats", "Inventory", "Kube", "LabSim", "Remote",
                "TestSupport",
            ]),
        .testTarget(name: "InventoryTests", dependencies: ["Inventory", "HLSCore", "TestSupport"]),
        .testTarget(
            name: "LabSimTests",
            dependencies: [
                "LabSim", "HLSCore", "HLSCrypto", "HLSFormats", "TestSupport",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "KubeTests", dependencies: ["Kube", "HLSCore", "HLSFormats", "HLSTransport", "TestSupport"]),
        .testTarget(
            name: "RemoteTests", dependencies: ["Remote", "LabSim", "HLSCore", "HLSCrypto", "Inventory", "TestSupport"]),
    ]
)

// MARK: Fuzzing (scripts/fuzz, docs/adr/0045)
// One libFuzzer executable over the readers of untrusted text, declared only when HLSH_FUZZ is set,
// so `swift build`, `--build-tests` and scripts/build-release never see it. scripts/fuzz builds it
// with `-sanitize=fuzzer,address` in its own scratch path (.build-fuzz).
if Context.environment["HLSH_FUZZ"] != nil {
    package.products.append(.executable(name: "hlsh-fuzz", targets: ["hlsh-fuzz"]))
    package.targets += [
        /// The declaration of libFuzzer's driver, which `hlsh-fuzz`'s `main` calls.
        .target(name: "FuzzerDriver", path: "Fuzz/Driver"),
        .executableTarget(
            name: "hlsh-fuzz",
            dependencies: [
                "FuzzerDriver", "HLSCore", "HLSFormats", "HLSLanguage", "HLSTransport", "Inventory", "Kube",
            ],
            path: "Fuzz/Targets", swiftSettings: strict),
    ]
}

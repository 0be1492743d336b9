import HLSCore
import HLSLanguage
import LabSim

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

/// `sim serve`: keep a simulated lab running for other tools (proxmoxer, curl, another hlsh).
enum SimCommands {
    static func register(into registry: inout Registry) {
        registry.registerObject("sim", summary: "the simulated lab: the same protocols as the real one, on loopback")
        registry.register(serve)
    }

    static let serve = CommandSpec(
        ["sim", "serve"], summary: "Run the simulated lab in the foreground until Ctrl-C",
        discussion: """
            Starts the simulated Proxmox VE API over HTTPS on a loopback port with its own CA, and an \
            OpenSSH server for each VM once it has booted. Writes DIR/env with the PROXMOX_VE_* variables \
            (and HLSH_PVE_CA_FILE, HLSH_PVE_FINGERPRINT, HLSH_SSH_CONFIG) a client needs: `. DIR/env` in \
            another shell, then run hlsh, proxmoxer or curl against it; `ssh -F DIR/ssh_config k3s-cp-01` \
            reaches a booted VM.
            """,
        flags: [
            Flag("dir", .path, "where to write env, the CA and the simulator's files"),
            Flag("port", .int, "the port (default: a free one)", default: .int(0)),
        ],
        examples: [
            Example("sim serve --dir /tmp/lab", "serve a simulated lab; source /tmp/lab/env elsewhere", needsLab: true)
        ],
        implementation: .query { inv in
            guard let dir = inv.string("dir") else { throw inv.usage("--dir is required") }
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // Fresh secrets per run: whoever can read DIR/env (mode 0600) can log in.
            let simulator = PVESimulator(
                config: .seedLab(rootPassword: UUID().uuidString, tokenSecret: UUID().uuidString.lowercased()))
            let endpoint = try simulator.start(port: inv.int(defaulted: "port"), tls: .generate(directory: dir))
            defer { simulator.stop() }
            try simulator.writeEnvironment(to: dir)
            let nodes = SimulatedNodes(directory: dir, image: .ubuntu) { simulator.guests }
            try nodes.start()
            defer { nodes.stop() }
            try appendExport("HLSH_SSH_CONFIG", nodes.sshConfigPath, to: dir + "/env")
            try appendExport("HLSH_SIM_LOOPBACK_ONLY", "1", to: dir + "/env")
            inv.context.err("simulated Proxmox VE at \(endpoint.url) — environment in \(dir)/env; Ctrl-C stops it\n")
            while !inv.context.cancellation.isCancelled {
                Threads.sleep(for: .milliseconds(100))
            }
            inv.context.err("simulated lab stopped\n")
            return .null
        })

    private static func appendExport(_ name: String, _ value: String, to file: String) throws(HLSError) {
        let line = "export \(name)='\(value.replacing("'", with: "'\\''"))'\n"
        guard let existing = FileManager.default.contents(atPath: file) else {
            throw HLSError(.failed, "cannot write \(file)")
        }
        do {
            try (existing + Data(line.utf8)).write(to: URL(fileURLWithPath: file))
        } catch {
            throw HLSError(.failed, "cannot write \(file)", cause: "\(error)")
        }
    }
}

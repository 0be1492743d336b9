import Foundation
import HLSCore
import HLSLanguage
import LabSim
import Synchronization
import TestSupport
import XCTest

/// scripts/bootstrap.hls with a fault injected mid-phase, layer by layer: the run stops with the
/// phase, the step (file:line:col) and the cause named; `--resume` skips the phases that
/// completed, continues from the failed one and converges; nothing is created twice. In-process,
/// on the `LabHarness` lab, whose simulators take the faults (PVE's and the Kubernetes API's
/// injectors, `FluxFaults`, the nodes' trees). The runbook runs up to the phase under test (its
/// phase lines as bootstrap.hls has them), so each test stays as fast as its layer allows.
final class FaultResumeTests: XCTestCase {
    var resume: RunOptions {
        var options = RunOptions()
        options.resume = true
        return options
    }

    /// PVE: the clone of the worker's VM fails (the template's lock is held).
    func testACloneTaskThatFailsStopsPhaseOneAndResumeClonesOnlyWhatIsMissing() throws {
        let lab = try LabHarness()
        lab.simulator.injectFault(PVEFault(kind: .cloneLockTimeout, path: "/nodes/pve2/qemu/*/clone"))
        let bootstrap = try bootstrapThrough(phase: 2, in: lab)
        let failed = lab.runScript(bootstrap)
        try assertStopped(
            failed, in: "1 provision VMs", at: "vm apply --all", of: "1-vms.hls", verb: "vm apply",
            cause: "can't lock file '/var/lock/qemu-server/lock-")
        XCTAssertTrue(failed.err.contains("failed after"), failed.err)
        XCTAssertFalse(failed.err.contains("phase 2"), failed.err)

        let resumed = lab.runScript(bootstrap, options: resume)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 1 provision VMs"), resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 2 harden the OS and install k3s"), resumed.err)
        let clones = lab.writes.filter { $0.hasPrefix("POST ") && $0.hasSuffix("/clone") }
        XCTAssertEqual(clones.filter { $0.contains("/nodes/pve1/") }.count, 1, "k3s-cp-01 cloned once: \(clones)")
        XCTAssertEqual(clones.filter { $0.contains("/nodes/pve2/") }.count, 2, "the failed clone, then one: \(clones)")
        XCTAssertEqual(lab.run("vm list | where name =~ 'k3s' | get vmid | to json --compact").out, "[201,202]\n")
    }

    /// SSH/node: k3s's installer cannot be downloaded on the worker, mid-phase 2.
    func testANodeScriptThatFailsStopsPhaseTwoAndResumeSkipsPhaseOne() throws {
        let lab = try LabHarness()
        let nodes = try XCTUnwrap(lab.nodes)
        let broken = SavedFile()
        let bootstrap = try bootstrapThrough(phase: 2, in: lab)
        // Once phase 2 has printed the nodes' facts (the VMs are up), the worker's curl fails.
        let failed = runInProcess(
            try String(contentsOfFile: bootstrap, encoding: .utf8), file: bootstrap, arguments: [],
            environment: lab.environment
        ) { text in
            guard broken.data == nil, text.contains("kernel") else { return }
            let curl = nodes.root(of: "k3s-wk-01") + SimulatedNodeRoot.nodeBinDirectory + "/curl"
            broken.data = try? Data(contentsOf: URL(fileURLWithPath: curl))
            try? Data("#!/bin/sh\necho 'curl: (6) Could not resolve host' >&2\nexit 6\n".utf8).write(
                to: URL(fileURLWithPath: curl))
        }
        XCTAssertNotNil(broken.data, "the fault was injected: \(failed.out)")
        try assertStopped(
            failed, in: "2 harden the OS and install k3s", at: "node k3s all", of: "2-k3s.hls", verb: "node k3s",
            cause: "Could not resolve host")
        XCTAssertTrue(failed.err.contains("✓ phase 1 provision VMs"), failed.err)
        XCTAssertTrue(failed.err.contains("k3s-wk-01"), failed.err)

        let curl = nodes.root(of: "k3s-wk-01") + SimulatedNodeRoot.nodeBinDirectory + "/curl"
        try XCTUnwrap(broken.data).write(to: URL(fileURLWithPath: curl))
        let resumed = lab.runScript(bootstrap, options: resume)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("↷ phase 1 provision VMs: skipped, completed in the last run"), resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 2 harden the OS and install k3s"), resumed.err)
        XCTAssertEqual(lab.writes.filter { $0.hasSuffix("/clone") }.count, 2, "no VM cloned again")
        // Each node ran k3s's installer once: the server in the failed run, the worker in the resumed one.
        for name in ["k3s-cp-01", "k3s-wk-01"] {
            let log = try String(contentsOfFile: nodes.root(of: name) + "/var/log/hlsh-sim.log", encoding: .utf8)
            let installs = log.split(separator: "\n").filter { $0.hasPrefix("k3s-install.sh") }
            XCTAssertEqual(installs.count, 1, "\(name): \(installs)")
        }
    }

    /// Kubernetes API: the API server answers 500 to every request for flux-system's Deployments,
    /// so flux bootstrap in phase 3 fails (its plan reads them).
    func testAPIServerErrorsStopPhaseThreeAndResumeBootstrapsFluxOnce() throws {
        let lab = try LabHarness()
        let bootstrap = try bootstrapThrough(phase: 3, in: lab)
        let kube = try XCTUnwrap(lab.lab.kube)
        kube.injectFault(.internalError(path: "/apis/apps/v1/namespaces/flux-system/deployments", times: 1000))
        let failed = lab.runScript(bootstrap)
        try assertStopped(
            failed, in: "3 Flux and the GitOps repository", at: "flux bootstrap", of: "3-flux.hls",
            verb: "flux bootstrap", cause: "injected fault")
        XCTAssertTrue(failed.err.contains("✓ phase 2 harden the OS and install k3s"), failed.err)

        kube.resetFaults()
        let resumed = lab.runScript(bootstrap, options: resume)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("↷ phase 2 harden the OS and install k3s: skipped"), resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 3 Flux and the GitOps repository"), resumed.err)
        // Across both runs: one deploy key, one push of the sync manifests, one install.
        let both = failed.out + resumed.out
        for (row, what) in [(" register ", "deploy key"), ("gotk-components.yaml", "push"), (" install ", "install")] {
            XCTAssertEqual(both.components(separatedBy: row).count - 1, 1, "\(what) once: \(both)")
        }
    }

    /// Flux: the flux-system Kustomization fails to reconcile once the tree is pushed.
    func testAFailingReconcileStopsPhaseThreeAndResumeReconcilesAgain() throws {
        let faults = FluxFaults()
        let lab = try LabHarness(fluxFaults: faults)
        let bootstrap = try bootstrapThrough(phase: 3, in: lab)
        // Armed once flux bootstrap has synced (its table printed), so the scaffold's reconcile fails.
        let armed = SavedFile()
        let failed = runInProcess(
            try String(contentsOfFile: bootstrap, encoding: .utf8), file: bootstrap, environment: lab.environment
        ) { text in
            guard armed.data == nil, text.contains("Secrets and the sync objects") else { return }
            armed.data = Data()
            faults.inject(
                .failing(times: 1000, message: "kustomize build failed: accumulating resources: missing.yaml"),
                kind: "Kustomization", namespace: "flux-system", name: "flux-system")
        }
        XCTAssertNotNil(armed.data, "the fault was armed: \(failed.out)")
        try assertStopped(
            failed, in: "3 Flux and the GitOps repository", at: "flux reconcile ks flux-system", of: "3-flux.hls",
            verb: "flux reconcile", cause: "missing.yaml")

        faults.reset()
        let resumed = lab.runScript(bootstrap, options: resume)
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.err.contains("✓ phase 3 Flux and the GitOps repository"), resumed.err)
    }

    /// scripts/bootstrap.hls up to phase `last`, in the lab's folder, sourcing the repository's
    /// scripts/phases/ and inventory.
    func bootstrapThrough(phase last: Int, in lab: LabHarness) throws -> String {
        let scripts = LabHarness.repository + "/scripts/"
        let text = try String(contentsOfFile: scripts + "bootstrap.hls", encoding: .utf8)
        let kept = text.components(separatedBy: "\n").filter { line in
            guard line.hasPrefix("phase \""), let number = Int(line.dropFirst(7).prefix { $0.isNumber }) else {
                return !line.hasPrefix("let ready") && !line.hasPrefix("echo") && !line.hasPrefix("node list")
            }
            return number <= last
        }.map {
            $0.replacing("source \"phases/", with: "source \"\(scripts)phases/")
                .replacing("lab use \"homelab.yaml\"", with: "lab use \"\(scripts)homelab.yaml\"")
        }
        XCTAssertEqual(kept.filter { $0.hasPrefix("phase ") }.count, last, text)
        return try lab.home.write("bootstrap-\(last).hls", kept.joined(separator: "\n"))
    }

    /// The run stopped (exit 1) in `phase`, naming the step (`statement` of phases/`file`, shown
    /// as `verb`) and the cause (`cause`).
    func assertStopped(
        _ run: (status: Int32, out: String, err: String), in phase: String, at statement: String, of file: String,
        verb: String, cause: String, file source: StaticString = #filePath, line: UInt = #line
    ) throws {
        XCTAssertEqual(run.status, 1, run.err, file: source, line: line)
        XCTAssertTrue(run.err.contains("✗ phase \(phase) failed"), run.err, file: source, line: line)
        XCTAssertTrue(
            run.err.contains(" at \(try step(statement, in: file)) (\(verb))\n"), "the step: \(run.err)",
            file: source, line: line)
        XCTAssertTrue(run.err.contains(cause), "the cause: \(run.err)", file: source, line: line)
    }

    /// Where `statement` starts in scripts/phases/`file`, as `FILE:LINE:COLUMN`.
    func step(_ statement: String, in file: String) throws -> String {
        let file = LabHarness.repository + "/scripts/phases/" + file
        let lines = try String(contentsOfFile: file, encoding: .utf8).components(separatedBy: "\n")
        let index = try XCTUnwrap(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(statement) })
        let column = lines[index].prefix { $0 == " " }.count + 1
        return "\(file):\(index + 1):\(column)"
    }
}

/// A file's bytes, kept while a test replaced it (set from the run's output callback).
final class SavedFile: Sendable {
    private let saved = Mutex<Data?>(nil)
    var data: Data? {
        get { saved.withLock { $0 } }
        set { saved.withLock { $0 = newValue } }
    }
}

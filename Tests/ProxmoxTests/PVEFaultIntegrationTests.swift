import Foundation
import HLSCore
import HLSTransport
import LabSim
import TestSupport
import XCTest

@testable import Proxmox

/// Failing tasks, injected faults and retries, against the lab simulator.
final class PVEFaultIntegrationTests: XCTestCase {
    private let poll = Duration.milliseconds(100)

    private func clonedVM(_ client: PVEClient, name: String = "fault-vm") throws -> Int {
        let clone = try client.clone(node: "pve1", template: 9000, name: name)
        try client.waitTask(clone.upid, timeout: .seconds(30), every: poll)
        return clone.vmid
    }

    func testAFailedTaskReportsItsExitStatusVerbatimWithTheLogTail() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let vmid = try clonedVM(client)
        // A shrink sent at the raw API level (the typed resize refuses before sending).
        let data = try client.put("/nodes/pve1/qemu/\(vmid)/resize", form: [("disk", "scsi0"), ("size", "1G")])
        let upid = try UPID(parsing: try XCTUnwrap(data.pveString))
        XCTAssertEqual(upid.type, "resize")
        let error = assertHLSError(try client.waitTask(upid, timeout: .seconds(30), every: poll))
        XCTAssertEqual(error?.kind, .failed)
        XCTAssertEqual(error?.message, "shrinking disks is not supported")
        XCTAssertEqual(error?.place, .request(method: "task", url: "resize VM \(vmid) on pve1"))
        let cause = error?.cause ?? ""
        XCTAssertTrue(cause.hasPrefix(upid.text), cause)
        XCTAssertTrue(cause.contains("task log (last"), cause)
        XCTAssertTrue(cause.contains("TASK ERROR: shrinking disks is not supported"), cause)
    }

    /// The task's failure is reported even when its log cannot be read, saying why it is missing.
    func testAFailedTaskWhoseLogCannotBeReadSaysWhy() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let vmid = try clonedVM(client)
        lab.sim.injectFault(
            PVEFault(
                kind: .http(status: 500, message: "log store down", delay: 0), method: "GET", path: "**/log", count: nil
            ))
        let data = try client.put("/nodes/pve1/qemu/\(vmid)/resize", form: [("disk", "scsi0"), ("size", "1G")])
        let upid = try UPID(parsing: try XCTUnwrap(data.pveString))
        let error = assertHLSError(try client.waitTask(upid, timeout: .seconds(30), every: poll))
        XCTAssertEqual(error?.message, "shrinking disks is not supported")
        let cause = error?.cause ?? ""
        XCTAssertTrue(cause.contains("task log unavailable: "), cause)
        XCTAssertTrue(cause.contains("log store down"), cause)
    }

    func testACloneThatCannotLockTheTemplateFailsWithPVEsWords() throws {
        let lab = try PVELabFixture()
        lab.sim.injectFault(PVEFault(kind: .cloneLockTimeout))
        let client = try lab.client()
        let clone = try client.clone(node: "pve1", template: 9000, name: "locked-out")
        let error = assertHLSError(try client.waitTask(clone.upid, timeout: .seconds(30), every: poll))
        XCTAssertEqual(error?.message, "can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout")
        XCTAssertEqual(error?.place, .request(method: "task", url: "qmclone VM 9000 on pve1"))
        XCTAssertTrue(error?.cause?.contains("TASK ERROR: can't lock file") ?? false, error?.cause ?? "")
    }

    func testASlowTaskTimesOutAndAWaitCanBeCancelled() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let vmid = try clonedVM(client)
        lab.sim.injectFault(PVEFault(kind: .slowTasks(seconds: 30), method: "qmstart", count: nil))
        let upid = try XCTUnwrap(try client.start(node: "pve1", vmid: vmid))
        var seen = 0
        let timeout = assertHLSError(
            try client.waitTask(upid, timeout: .milliseconds(600), every: poll) { _, status in
                XCTAssertTrue(status.isRunning)
                seen += 1
            })
        XCTAssertEqual(timeout?.kind, .timeout)
        XCTAssertTrue(
            timeout?.message.contains("did not finish within 600ms") ?? false, "\(String(describing: timeout))")
        XCTAssertEqual(timeout?.cause, "running: \(upid.text)", "the last status seen and the UPID")
        XCTAssertGreaterThanOrEqual(seen, 2)

        let cancellation = Cancellation()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancellation.cancel() }
        let began = Date()
        let interrupted = assertHLSError(
            try client.waitTask(upid, timeout: .seconds(60), every: .seconds(5), cancellation: cancellation))
        XCTAssertEqual(interrupted?.kind, .interrupted)
        XCTAssertLessThan(Date().timeIntervalSince(began), 3, "cancellation is seen during the sleep")
    }

    func testA596OnAGetIsRetriedAndSucceeds() throws {
        let lab = try PVELabFixture()
        let trace = TraceLines()
        let client = try lab.client(trace: trace)
        lab.sim.injectFault(
            PVEFault(
                kind: .http(status: 596, message: "Connection timed out", delay: 0), method: "GET",
                path: "/cluster/resources"))
        XCTAssertEqual(try client.vmResources().filter(\.isTemplate).map(\.vmid), [9000, 9001])
        XCTAssertEqual(trace.count("retrying", containing: "/cluster/resources"), 1, trace.text)
    }

    func testA500IsNotRetriedAndItsMessageIsKept() throws {
        let lab = try PVELabFixture()
        let trace = TraceLines()
        let client = try lab.client(trace: trace)
        lab.sim.injectFault(
            PVEFault(
                kind: .http(status: 500, message: "cluster not ready - no quorum?", delay: 0), method: "GET",
                path: "/nodes"))
        let error = assertHLSError(try client.nodes())
        XCTAssertEqual(error?.message, "cluster not ready - no quorum?")
        XCTAssertEqual(error?.place, .request(method: "GET", url: "/nodes"))
        XCTAssertEqual(trace.count("retrying", containing: "/nodes"), 0, trace.text)
        XCTAssertEqual(trace.count(">", containing: "/nodes"), 1, trace.text)
        XCTAssertEqual(try client.nodes().count, 2, "the fault was used up")
    }

    func testA596OnAPostIsNotRetried() throws {
        let lab = try PVELabFixture()
        let trace = TraceLines()
        let client = try lab.client(trace: trace)
        lab.sim.injectFault(
            PVEFault(
                kind: .http(status: 596, message: "Connection refused", delay: 0), method: "POST",
                path: "/nodes/*/qemu/*/clone"))
        let error = assertHLSError(try client.clone(node: "pve1", template: 9000, newID: 300, name: "not-twice"))
        XCTAssertTrue(error?.message.contains("Connection refused") ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.hint?.contains("transient") ?? false)
        XCTAssertEqual(trace.count("retrying", containing: "clone"), 0, trace.text)
    }

    func testATakenNextIDIsRetriedWithANewOne() throws {
        let lab = try PVELabFixture()
        let trace = TraceLines()
        let client = try lab.client(trace: trace)
        lab.sim.injectFault(
            PVEFault(
                kind: .http(status: 500, message: "unable to create VM 100: config file already exists", delay: 0),
                method: "POST",
                path: "/nodes/*/qemu/*/clone"))
        let clone = try client.clone(node: "pve1", template: 9000, name: "raced")
        try client.waitTask(clone.upid, timeout: .seconds(30), every: poll)
        XCTAssertEqual(trace.count(">", containing: "/cluster/nextid"), 2, trace.text)
        XCTAssertEqual(trace.count(">", containing: "/clone"), 2, trace.text)
        XCTAssertEqual(try client.resolveVM("raced").vmid, clone.vmid)
    }

    func testADigestMismatchIsReportedVerbatim() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let vmid = try clonedVM(client)
        let digest = try XCTUnwrap(try client.config(node: "pve1", vmid: vmid).digest)
        try client.updateConfig(node: "pve1", vmid: vmid, set: [("cores", "3")], digest: digest)
        let error = assertHLSError(
            try client.updateConfig(node: "pve1", vmid: vmid, set: [("cores", "5")], digest: digest))
        // qemu-server's update_vm_api wording (pve-common's assert_if_modified says "detected modified configuration").
        XCTAssertEqual(error?.message, "checksum mismatch (file change by other user?)")
        XCTAssertEqual(error?.place, .request(method: "PUT", url: "/nodes/pve1/qemu/\(vmid)/config"))
        XCTAssertEqual(try client.config(node: "pve1", vmid: vmid)["cores"], "3")
    }

    func testABrief400RightAfterATaskStartsIsWaitedOut() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        lab.sim.injectFault(
            PVEFault(
                kind: .http(status: 400, message: "no such task", delay: 0), method: "GET",
                path: "/nodes/*/tasks/*/status"))
        let clone = try client.clone(node: "pve1", template: 9000, name: "early-poll")
        XCTAssertEqual(try client.waitTask(clone.upid, timeout: .seconds(30), every: poll).exitStatus, "OK")
    }

    func testTheAgentOfAStoppedVMIsNotReady() throws {
        let lab = try PVELabFixture()
        let client = try lab.client()
        let vmid = try clonedVM(client)
        guard case .notReady(let why) = try client.agentInterfaces(node: "pve1", vmid: vmid) else {
            return XCTFail("a stopped VM's agent cannot answer")
        }
        XCTAssertFalse(why.isEmpty)
    }
}

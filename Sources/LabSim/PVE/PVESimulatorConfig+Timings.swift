public import HLSCore

extension PVESimulatorConfig {
    /// How slow the simulated cluster is, in seconds. The presets name who it is for; a test that
    /// needs one delay longer (to see a task running, a guest not yet booted) changes only that one.
    public struct Timings: Sendable, Hashable {
        /// A task's run time before it finishes (config, resize, start, stop, destroy).
        public var taskDuration: Double
        /// A clone task's run time (clones copy disks, so they are the slow ones).
        public var cloneDuration: Double
        /// From start until the guest agent answers (if the VM has `agent: 1`) and the guest counts
        /// as booted (its simulated node's SSH server starts).
        public var bootDelay: Double
        /// A guest's power-off after an ACPI shutdown request.
        public var shutdownDuration: Double
        /// The delay of every 401 (pveproxy waits 3 s).
        public var unauthorizedDelay: Double
        /// The factor on the requeue times of the lab's Kubernetes controllers (Flux's retries
        /// and dependency waits, health checks, rechecks): `KubeAPISimulator.Options.requeueScale`.
        public var requeueScale: Double
        /// How long a Node whose kubelet stopped posting stays Ready before the node lifecycle
        /// controller marks it NotReady (kube-controller-manager's `--node-monitor-grace-period`,
        /// 50 s since Kubernetes 1.29). A VM stopped and started within it keeps reporting the
        /// Ready of its previous boot until its kubelet posts again. 0: NotReady at the next pass.
        public var nodeMonitorGracePeriod: Double

        public init(
            taskDuration: Double, cloneDuration: Double, bootDelay: Double, shutdownDuration: Double,
            unauthorizedDelay: Double, requeueScale: Double = 1, nodeMonitorGracePeriod: Double = 0
        ) {
            self.taskDuration = taskDuration
            self.cloneDuration = cloneDuration
            self.bootDelay = bootDelay
            self.shutdownDuration = shutdownDuration
            self.unauthorizedDelay = unauthorizedDelay
            self.requeueScale = requeueScale
            self.nodeMonitorGracePeriod = nodeMonitorGracePeriod
        }

        /// About what a small real cluster takes (`sim serve`, for other tools).
        public static let proxmox = Timings(
            taskDuration: 1, cloneDuration: 3, bootDelay: 20, shutdownDuration: 3, unauthorizedDelay: 3,
            nodeMonitorGracePeriod: 50)
        /// Slow enough to watch, fast enough to wait for (`hlsh --sim`, `scripts/demo`).
        public static let demo = Timings(
            taskDuration: 0.5, cloneDuration: 2, bootDelay: 3, shutdownDuration: 1, unauthorizedDelay: 0.5,
            nodeMonitorGracePeriod: 8)
        /// As fast as the tests can follow; a refused login is not delayed. The lab's controllers
        /// look again ten times sooner than asked (a 1 min Flux retry after 6 s): the tests
        /// follow what the controllers do, not how long a real one waits between tries. A stopped
        /// kubelet's Node turns NotReady at once (a test of the grace sets it).
        public static let fastTest = Timings(
            taskDuration: 0.1, cloneDuration: 0.2, bootDelay: 0.3, shutdownDuration: 0.1, unauthorizedDelay: 0,
            requeueScale: 0.1)
        /// No simulated delay: what a run takes is the client's and the simulator's own work
        /// (`bench/rehearsal.sh`). The controllers' requeues run a hundred times faster than
        /// asked (a 1 s retry after 10 ms, a 10 min resync after 6 s), not at once: a requeue of
        /// zero would have them reconcile without pause.
        public static let zero = Timings(
            taskDuration: 0, cloneDuration: 0, bootDelay: 0, shutdownDuration: 0, unauthorizedDelay: 0,
            requeueScale: 0.01)

        /// The variable that picks the presets of `hlsh sim serve` and `hlsh --sim` by name.
        public static let environmentVariable = "HLSH_SIM_TIMINGS"
        /// The presets by the names `HLSH_SIM_TIMINGS` takes.
        public static let named: KeyValuePairs<String, Timings> = [
            "proxmox": .proxmox, "demo": .demo, "test": .fastTest, "zero": .zero,
        ]

        /// The preset `environment` names in `HLSH_SIM_TIMINGS`, else `fallback` (also for an empty value).
        /// - Throws: `.usage` for a name that is none of the presets, naming them.
        public static func chosen(in environment: [String: String], else fallback: Timings) throws(HLSError) -> Timings
        {
            guard let name = environment[environmentVariable], !name.isEmpty else { return fallback }
            guard let preset = named.first(where: { $0.key == name })?.value else {
                throw HLSError(
                    .usage, "\(environmentVariable)=\(name) names no simulated timings",
                    hint: "use one of: \(named.map(\.key).joined(separator: ", "))")
            }
            return preset
        }
    }

}

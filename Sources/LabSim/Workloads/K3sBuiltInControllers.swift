/// What k3s runs inside its server process besides the API: the kube-controller-manager's
/// workload, garbage-collecting and disruption controllers and the kube-scheduler. Every
/// simulated cluster runs them (`KubeAPISimulator`), before any controller installed into it.
/// (The garbage collector is the store's own: `collectDependents` on every delete.)
enum K3sBuiltInControllers {
    static var all: [any SimulatedController] {
        [
            SimulatedScheduler(), SimulatedDeploymentController(), SimulatedReplicaSetController(),
            SimulatedDaemonSetController(), SimulatedStatefulSetController(), SimulatedDisruptionController(),
        ]
    }
}

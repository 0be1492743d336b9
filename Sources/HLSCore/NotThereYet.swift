/// Under `--dry-run`, what a verb would read is not there yet, because an earlier step of the
/// run only planned it: the cluster before `node kubeconfig` has merged its context, an ingress
/// host before its certificate is issued. The executor notes it and the verb's value is an
/// empty list (in the plan, nothing is there yet), so a runbook's later phases still plan.
/// Thrown only under `--dry-run`: a real run meets the error it stands for.
public struct NotThereYet: Error, Sendable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }
}

/// Remote node operations over SSH: the shipped node scripts (facts, harden, k3s, kubeconfig) and
/// fan-out. It is built by issue 6 ("Phase 2: SSH on libssh2, node scripts"); until then this module
/// declares only its namespace.
public enum Remote {}

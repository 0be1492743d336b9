/// The Proxmox VE API client (auth, nodes, qemu, tasks). It is built by issue 5
/// ("Phase 1: Proxmox VE client over libcurl"); until then this module declares only its namespace.
public enum Proxmox {}

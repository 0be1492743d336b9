/// The lab simulator: a PVE API, a Kubernetes API and SSH-speaking nodes on loopback. It never
/// imports a client module (docs/adr/0008). The PVE side is built by issue 5; until then this
/// module declares only its namespace.
public enum LabSim {}

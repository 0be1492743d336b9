/// The lab simulator: a PVE API (`PVESimulator`), and later a Kubernetes API and SSH-speaking
/// nodes, all on loopback. It never imports a client module (docs/adr/0008): everything here is
/// written from the reference notes and the real servers' behaviour, so a client's mistake
/// cannot hide behind the same mistake in the simulator.
public enum LabSim {}

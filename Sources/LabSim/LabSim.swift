/// The lab simulator: a PVE API (`PVESimulator`) and SSH-speaking nodes (`SimulatedNodes`), and
/// next a Kubernetes API, all on loopback and started together by `SimulatedLab`. It never
/// imports a client module (docs/adr/0008): everything here is written from the reference notes
/// and the real servers' behaviour, so a client's mistake cannot hide behind the same mistake in
/// the simulator.
public enum LabSim {}

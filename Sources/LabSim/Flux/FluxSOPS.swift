import HLSCore

/// Decrypts one SOPS-encrypted manifest with the age keys of the `sops-age` Secret (its
/// `*.agekey` entries); throws the controller's message when it cannot.
typealias FluxSOPSDecryption = @Sendable (_ manifest: Document, _ ageKeys: [String]) throws(HLSError) -> Document

/// Where SOPS decryption plugs into the simulated kustomize-controller.
enum FluxSOPS {
    /// The one call site of SOPS decryption: `decrypt` is what the lab wires in (`SimulatedSOPS`,
    /// from the sops engineer's branch). Until it is wired, an encrypted manifest is refused as
    /// the controller refuses one it cannot decrypt.
    static func decrypt(_ manifest: Document, id: String, ageKeys: [String], with decrypt: FluxSOPSDecryption?)
        throws(SimulatedKustomizeController.FluxApplyError) -> Document
    {
        guard !ageKeys.isEmpty else {
            throw .init(
                reason: "DecryptionFailed",
                message:
                    "\(id) decryption failed: failed to get the data key required to decrypt the SOPS file: no age identities found in the sops-age Secret"
            )
        }
        guard let decrypt else {
            throw .init(
                reason: "DecryptionFailed",
                message: "\(id) decryption failed: SOPS decryption is not wired into this simulator")
        }
        do { return try decrypt(manifest, ageKeys) } catch {
            throw .init(reason: "DecryptionFailed", message: "\(id) decryption failed: \(error.message)")
        }
    }
}

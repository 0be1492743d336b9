import HLSCore

/// Decrypts one SOPS-encrypted manifest with the age keys of the `sops-age` Secret (its
/// `*.agekey` entries); throws the controller's message when it cannot.
typealias FluxSOPSDecryption = @Sendable (_ manifest: Document, _ ageKeys: [String]) throws(HLSError) -> Document

/// Where SOPS decryption plugs into the simulated kustomize-controller.
enum FluxSOPS {
    /// The one call site of SOPS decryption: `decrypt` is what the lab wires in
    /// (`SimulatedFlux.sopsDecryption`, on `SimulatedSOPS`); without it, an encrypted manifest is
    /// refused as the controller refuses one it cannot decrypt.
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
        // The decryption's message is the controller's whole text, naming the resource.
        do { return try decrypt(manifest, ageKeys) } catch {
            throw .init(reason: "DecryptionFailed", message: error.message)
        }
    }
}

extension SimulatedFlux {
    /// kustomize-controller's decryption: `SimulatedSOPS`, without the MAC check (the
    /// controller's default).
    static let sopsDecryption: FluxSOPSDecryption = { manifest, keys throws(HLSError) in
        do throws(SimulatedSOPS.Failure) {
            return try SimulatedSOPS.decrypt(manifest, ageKeys: keys)
        } catch {
            throw HLSError(.failed, error.message)
        }
    }

    /// The charts the lab's helm-controller installs.
    static let labCharts: [SimulatedChart] = [
        CertManagerChart.chart, SimulatedChart.longhorn, SimulatedChart.traefik, KubePrometheusStackChart.chart,
        LokiChart.chart, AlloyChart.chart,
    ]
}

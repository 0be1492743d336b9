import HLSCore

/// Decrypts one SOPS-encrypted manifest with the age identities of the decryption Secret (its
/// `*.agekey` entries); throws the controller's message when it cannot.
typealias FluxSOPSDecryption = @Sendable (_ manifest: Document, _ ageKeys: [String]) throws(HLSError) -> Document

/// Where SOPS decryption plugs into the simulated kustomize-controller, with the controller's
/// reasons: a manifest that cannot be decrypted fails the build (`BuildFailed`, as
/// `KustomizationReconciler.build` wraps every decryption error), an encrypted Secret applied
/// without `spec.decryption` fails the apply (`ReconciliationFailed`).
enum FluxSOPS {
    /// The annotation that leaves one resource encrypted (the decryptor's IsDecryptionDisabled).
    static let disabledAnnotation = "kustomize.toolkit.fluxcd.io/decrypt"

    /// `manifest` decrypted with `ageKeys` when it is a SOPS resource (a `sops.mac`, as the
    /// decryptor's isSOPSEncryptedResource asks) not annotated `decrypt: disabled`; otherwise as it
    /// is. `decrypt` is what the lab wires in (`SimulatedFlux.sopsDecryption`, on
    /// `SimulatedSOPS`), whose message is the controller's whole text, naming the resource.
    static func decrypt(_ manifest: Document, ageKeys: [String], with decrypt: FluxSOPSDecryption?)
        throws(SimulatedKustomizeController.FluxApplyError) -> Document
    {
        guard SimulatedSOPS.isEncrypted(manifest), !decryptionDisabled(manifest) else { return manifest }
        guard let decrypt else {
            throw .init(reason: "BuildFailed", message: "SOPS decryption is not wired into this simulator")
        }
        do { return try decrypt(manifest, ageKeys) } catch {
            throw .init(reason: "BuildFailed", message: error.message)
        }
    }

    /// The apply's refusal of a Secret still SOPS-encrypted (a `sops` key, decryption not
    /// disabled): kustomize-controller's apply checks every object before it applies any.
    static func refuseEncryptedSecrets(_ objects: [Document], namespace: String)
        throws(SimulatedKustomizeController.FluxApplyError)
    {
        for object in objects
        where object.text("kind") == "Secret" && object.text("apiVersion") == "v1" && object["sops"] != nil
            && !decryptionDisabled(object)
        {
            let name = object.text("metadata", "name") ?? ""
            let id = object.text("metadata", "namespace").map { "Secret/\($0)/\(name)" } ?? "Secret/\(name)"
            throw .init(
                reason: "ReconciliationFailed",
                message: "\(id) is SOPS encrypted, configuring decryption is required for this secret to be reconciled")
        }
    }

    private static func decryptionDisabled(_ manifest: Document) -> Bool {
        manifest.text("metadata", "annotations", disabledAnnotation)?.lowercased() == "disabled"
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

/// sops's report when no master key yields the data key (its getDataKeyError.UserError): one
/// group, each age entry FAILED with its reason wrapped at 60 columns, then the recovery trailer
/// wrapped at 75, as kustomize-controller's Ready message carries it.
enum SOPSDataKeyReport {
    /// Why an entry fails when the decryption Secret holds no `*.agekey` identity: sops (3.13, as
    /// kustomize-controller links it) then looks where a workstation keeps keys, and the
    /// controller's container (HOME=/) has none of them.
    static let noIdentities =
        "failed to load age identities. Did not find keys in locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', "
        + "'SOPS_AGE_SSH_PRIVATE_KEY_CMD', '/.ssh/id_ed25519', '/.ssh/id_rsa', 'SOPS_AGE_KEY', "
        + "'SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY_CMD', and '/.config/sops/age/keys.txt'."

    static func text(_ failures: [(recipient: String, reason: String)]) -> String {
        let keys = failures.map { failure in
            let wrapped = wrap(failure.reason, 60).split(separator: "\n", omittingEmptySubsequences: false)
            let reason = wrapped.enumerated().map { ($0.offset == 0 ? "- | " : "  | ") + $0.element }
            return (["\(failure.recipient): FAILED"] + reason.map { "  " + $0 }).joined(separator: "\n")
        }
        let group = "Group 0: FAILED\n" + indent(keys.joined(separator: "\n\n"))
        let trailer = wrap(
            "Recovery failed because no master key was able to decrypt the file. In order for SOPS to "
                + "recover the file, at least one key has to be successful, but none were.", 75)
        return "Failed to get the data key required to decrypt the SOPS file.\n\n\(group)\n\n\(trailer)"
    }

    private static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    /// go-wordwrap's WrapString: greedy, breaking at spaces, a longer word on a line of its own.
    static func wrap(_ text: String, _ limit: Int) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > limit {
                lines.append(line)
                line = String(word)
            } else {
                line += line.isEmpty ? String(word) : " " + word
            }
        }
        return (lines + [line]).joined(separator: "\n")
    }
}

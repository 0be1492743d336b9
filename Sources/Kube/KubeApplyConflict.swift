import HLSCore

/// A server-side apply refused with 409: the fields other field managers own, and who they are,
/// from the Status causes (`{reason: FieldManagerConflict, field: ".data.key", message: "conflict
/// with \"kubectl-client-side-apply\" using v1"}`).
struct KubeApplyConflict {
    struct Field: Equatable {
        var path: String
        /// The manager's name, as the server quotes it.
        var manager: String
    }

    var fields: [Field]
    var serverMessage: String

    init(status: KubeStatus) {
        serverMessage = status.message
        fields = status.causes.map { cause in
            Field(path: cause.field, manager: Self.manager(in: cause.message) ?? cause.message)
        }
    }

    /// The quoted name in `conflict with "NAME"…`.
    static func manager(in message: String) -> String? {
        guard let open = message.firstIndex(of: "\"") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }

    func error(at place: Place, object: String, namespace: String?) -> HLSError {
        let count = fields.count
        let listed = fields.map { "\($0.path) (owned by \($0.manager))" }.joined(separator: ", ")
        let managers = Array(Set(fields.map(\.manager))).sorted()
        return HLSError(
            .failed,
            "apply of \(object)\(namespace.map { " in namespace \($0)" } ?? "") conflicts on \(count) "
                + "field\(count == 1 ? "" : "s") other managers own: \(listed)",
            at: place,
            hint: "\(managers.joined(separator: ", ")) set \(count == 1 ? "it" : "them"); apply with force to "
                + "take \(count == 1 ? "it" : "them") over, or leave \(count == 1 ? "it" : "them") out of the manifest",
            cause: serverMessage)
    }
}

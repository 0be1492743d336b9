import HLSCore

/// A `Status` failure as the API server sends it (apimachinery `api/errors/errors.go`): the HTTP
/// code, the reason, the message and the details kubectl and client-go read.
struct KubeStatus: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    /// `details`: name, group, kind (the resource plural, or the Kind for Invalid), uid, causes.
    var details: [(key: String, value: Document)] = []
    /// `details.retryAfterSeconds`, which also becomes the Retry-After header.
    var retryAfter: Int?

    var document: Document {
        var pairs: [(key: String, value: Document)] = [
            ("kind", .string("Status")), ("apiVersion", .string("v1")), ("metadata", .object([])),
            ("status", .string("Failure")), ("message", .string(message)), ("reason", .string(reason)),
        ]
        var details = self.details
        if let retryAfter { details.append(("retryAfterSeconds", .int(retryAfter))) }
        if !details.isEmpty || code != 401 { pairs.append(("details", .object(details))) }
        pairs.append(("code", .int(code)))
        if reason.isEmpty { pairs.removeAll { $0.key == "reason" } }
        return .object(pairs)
    }

    /// `details` naming one object of a resource.
    static func details(_ type: KubeResourceType?, _ name: String?) -> [(key: String, value: Document)] {
        var details: [(key: String, value: Document)] = []
        if let name, !name.isEmpty { details.append(("name", .string(name))) }
        if let type {
            if !type.group.isEmpty { details.append(("group", .string(type.group))) }
            details.append(("kind", .string(type.plural)))
        }
        return details
    }

    static func notFound(_ type: KubeResourceType, _ name: String) -> KubeStatus {
        KubeStatus(
            code: 404, reason: "NotFound", message: "\(type.qualified) \"\(name)\" not found",
            details: details(type, name))
    }

    static func alreadyExists(_ type: KubeResourceType, _ name: String) -> KubeStatus {
        KubeStatus(
            code: 409, reason: "AlreadyExists", message: "\(type.qualified) \"\(name)\" already exists",
            details: details(type, name))
    }

    static func conflict(_ type: KubeResourceType, _ name: String, _ why: String) -> KubeStatus {
        KubeStatus(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualified) \"\(name)\": \(why)",
            details: details(type, name))
    }

    static func modified(_ type: KubeResourceType, _ name: String) -> KubeStatus {
        conflict(
            type, name, "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 Invalid: `Kind.group "name" is invalid: field: message` (several joined in brackets).
    static func invalid(_ type: KubeResourceType, _ name: String, _ causes: [(field: String, message: String)])
        -> KubeStatus
    {
        let rendered = causes.map { "\($0.field): \($0.message)" }
        let text = rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"
        var details: [(key: String, value: Document)] = []
        if !name.isEmpty { details.append(("name", .string(name))) }
        if !type.group.isEmpty { details.append(("group", .string(type.group))) }
        details.append(("kind", .string(type.kind)))
        details.append(
            (
                "causes",
                .array(
                    causes.map {
                        .object([
                            ("reason", .string("FieldValueInvalid")), ("message", .string($0.message)),
                            ("field", .string($0.field)),
                        ])
                    })
            ))
        return KubeStatus(
            code: 422, reason: "Invalid", message: "\(type.qualifiedKind) \"\(name)\" is invalid: \(text)",
            details: details)
    }

    static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, reason: "BadRequest", message: message)
    }

    static func forbidden(_ type: KubeResourceType, _ name: String, _ why: String) -> KubeStatus {
        KubeStatus(
            code: 403, reason: "Forbidden", message: "\(type.qualified) \"\(name)\" is forbidden: \(why)",
            details: details(type, name))
    }

    static let unauthorized = KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

    /// The generic 404 for a path nothing serves.
    static let pathNotFound = KubeStatus(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource")

    static func methodNotAllowed(_ verb: String, _ kind: String) -> KubeStatus {
        KubeStatus(
            code: 405, reason: "MethodNotAllowed",
            message: "\(verb) is not supported on resources of kind \"\(kind)\"")
    }

    static func unsupportedMediaType(_ type: String, accepted: [String]) -> KubeStatus {
        KubeStatus(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", "))
    }

    static func internalError(_ message: String) -> KubeStatus {
        KubeStatus(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    static func expired(_ message: String) -> KubeStatus {
        KubeStatus(code: 410, reason: "Expired", message: message)
    }

    /// A `Status` Success, as a delete that returns no object answers.
    static func success(details: [(key: String, value: Document)], code: Int? = nil) -> Document {
        var pairs: [(key: String, value: Document)] = [
            ("kind", .string("Status")), ("apiVersion", .string("v1")), ("metadata", .object([])),
            ("status", .string("Success")),
        ]
        if !details.isEmpty { pairs.append(("details", .object(details))) }
        if let code { pairs.append(("code", .int(code))) }
        return .object(pairs)
    }
}

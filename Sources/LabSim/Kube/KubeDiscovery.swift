import HLSCore

/// The legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/G/V`) and `/version`.
/// Sent as plain `application/json` whatever `Accept` asks, which clients read as the legacy
/// format (aggregated discovery is optional).
enum KubeDiscovery {
    static func version(_ gitVersion: String) -> Document {
        let numbers = gitVersion.dropFirst().split(separator: ".")
        let minor = numbers.count > 1 ? String(numbers[1]) : "0"
        return .object([
            ("major", .string(numbers.first.map(String.init) ?? "1")), ("minor", .string(minor)),
            ("emulationMajor", .string(numbers.first.map(String.init) ?? "1")), ("emulationMinor", .string(minor)),
            ("minCompatibilityMajor", .string("1")), ("minCompatibilityMinor", .string(minor)),
            ("gitVersion", .string(gitVersion)), ("gitCommit", .string("0000000000000000000000000000000000000000")),
            ("gitTreeState", .string("clean")), ("buildDate", .string("2026-01-01T00:00:00Z")),
            ("goVersion", .string("go1.24.6")), ("compiler", .string("gc")), ("platform", .string("linux/amd64")),
        ])
    }

    static func coreVersions(serverAddress: String) -> Document {
        .object([
            ("kind", .string("APIVersions")), ("versions", .array([.string("v1")])),
            (
                "serverAddressByClientCIDRs",
                .array([.object([("clientCIDR", .string("0.0.0.0/0")), ("serverAddress", .string(serverAddress))])])
            ),
        ])
    }

    static func group(_ name: String, versions: [String]) -> Document {
        let entries = versions.map {
            Document.object([("groupVersion", .string("\(name)/\($0)")), ("version", .string($0))])
        }
        return .object([
            ("name", .string(name)), ("versions", .array(entries)), ("preferredVersion", entries.first ?? .null),
        ])
    }

    static func groupList(_ types: KubeTypeRegistry) -> Document {
        .object([
            ("kind", .string("APIGroupList")), ("apiVersion", .string("v1")),
            ("groups", .array(types.groups.map { group($0.name, versions: $0.versions) })),
        ])
    }

    static func apiGroup(_ name: String, _ types: KubeTypeRegistry) -> Document {
        var document = group(name, versions: types.groups.first { $0.name == name }?.versions ?? [])
        document = .object([("kind", .string("APIGroup")), ("apiVersion", .string("v1"))] + document.pairs)
        return document
    }

    /// `APIResourceList`: each resource, then its subresources (`pods/eviction` is policy/v1
    /// Eviction, which drain looks for before it evicts).
    static func resourceList(group: String, version: String, _ types: KubeTypeRegistry) -> Document {
        var resources: [Document] = []
        for type in types.resources(group: group, version: version) {
            var pairs: [(key: String, value: Document)] = [
                ("name", .string(type.plural)), ("singularName", .string(type.singular)),
                ("namespaced", .bool(type.namespaced)), ("kind", .string(type.kind)),
                ("verbs", .array(type.verbs.map(Document.string))),
            ]
            if !type.shortNames.isEmpty { pairs.append(("shortNames", .array(type.shortNames.map(Document.string)))) }
            if !type.categories.isEmpty { pairs.append(("categories", .array(type.categories.map(Document.string)))) }
            resources.append(.object(pairs))
            for sub in type.subresources {
                var entry: [(key: String, value: Document)] = [
                    ("name", .string("\(type.plural)/\(sub)")), ("singularName", .string("")),
                    ("namespaced", .bool(type.namespaced)),
                ]
                switch sub {
                case "eviction":
                    entry += [("group", .string("policy")), ("version", .string("v1")), ("kind", .string("Eviction"))]
                    entry.append(("verbs", .array([.string("create")])))
                case "binding":
                    entry += [("kind", .string("Binding")), ("verbs", .array([.string("create")]))]
                case "finalize":
                    entry += [("kind", .string(type.kind)), ("verbs", .array([.string("update")]))]
                case "log":
                    entry += [("kind", .string(type.kind)), ("verbs", .array([.string("get")]))]
                case "scale":
                    entry += [
                        ("group", .string("autoscaling")), ("version", .string("v1")), ("kind", .string("Scale")),
                        ("verbs", .array(["get", "patch", "update"].map(Document.string))),
                    ]
                default:
                    entry += [
                        ("kind", .string(type.kind)),
                        ("verbs", .array(["get", "patch", "update"].map(Document.string))),
                    ]
                }
                resources.append(.object(entry))
            }
        }
        return .object([
            ("kind", .string("APIResourceList")), ("apiVersion", .string("v1")),
            ("groupVersion", .string(group.isEmpty ? version : "\(group)/\(version)")),
            ("resources", .array(resources)),
        ])
    }
}

import HLSCore

/// The CustomResourceDefinitions of Flux's default components, as the release's install.yaml
/// holds them: each served at its storage version with the real names, short names, printer
/// columns, status subresource and a schema of the fields the controllers read and write.
enum FluxCRDs {
    struct Definition: Sendable {
        var group: String
        var version: String
        var kind: String
        var plural: String
        var shortNames: [String]
        var component: String
        var columns: [(name: String, path: String, type: String)]
        var spec: FluxSchema
        var status: FluxSchema?
    }

    static let age = (name: "Age", path: ".metadata.creationTimestamp", type: "date")
    static let ready = (name: "Ready", path: ".status.conditions[?(@.type==\"Ready\")].status", type: "string")
    static let message = (name: "Status", path: ".status.conditions[?(@.type==\"Ready\")].message", type: "string")

    static let source = "source.toolkit.fluxcd.io"
    static let kustomize = "kustomize.toolkit.fluxcd.io"
    static let helm = "helm.toolkit.fluxcd.io"
    static let notification = "notification.toolkit.fluxcd.io"

    static let common: [(String, FluxSchema)] = [
        ("interval", .duration("Interval at which to reconcile.")),
        ("suspend", .boolean("This flag tells the controller to suspend the reconciliation of this source.")),
        ("timeout", .duration("Timeout for remote operations, defaults to 60s.")),
    ]

    static let sourceStatus = FluxSchema.status(
        "The observed state of the source.",
        [("artifact", FluxSchema.artifact), ("url", .string("URL is the dynamic fetch link for the latest Artifact."))])

    static let all: [Definition] = [
        Definition(
            group: source, version: "v1", kind: "GitRepository", plural: "gitrepositories", shortNames: ["gitrepo"],
            component: "source-controller",
            columns: [("URL", ".spec.url", "string"), age, ready, message],
            spec: .object(
                "GitRepositorySpec specifies the required configuration to produce an Artifact for a Git repository.",
                common + [
                    ("url", .string("URL specifies the Git repository URL, it can be an HTTP/S or SSH address.")),
                    ("secretRef", FluxSchema.localReference),
                    (
                        "ref",
                        .object(
                            "Reference specifies the Git reference to resolve and monitor for changes, defaults to the 'master' branch.",
                            [
                                (
                                    "branch",
                                    .string("Branch to check out, defaults to 'master' if no other field is defined.")
                                ),
                                ("tag", .string("Tag to check out, takes precedence over Branch.")),
                                ("semver", .string("SemVer tag expression to check out, takes precedence over Tag.")),
                                (
                                    "name",
                                    .string(
                                        "Name of the reference to check out; takes precedence over Branch, Tag and SemVer."
                                    )
                                ),
                                (
                                    "commit",
                                    .string("Commit SHA to check out, takes precedence over all reference fields.")
                                ),
                            ])
                    ),
                    ("ignore", .string("Ignore overrides the set of excluded patterns in the .sourceignore format.")),
                    (
                        "recurseSubmodules",
                        .boolean(
                            "RecurseSubmodules enables the initialization of all submodules within the GitRepository.")
                    ),
                    ("provider", .enumeration("Provider used for authentication.", ["generic", "azure", "github"])),
                ], required: ["interval", "url"]),
            status: sourceStatus),
        Definition(
            group: source, version: "v1", kind: "HelmRepository", plural: "helmrepositories", shortNames: ["helmrepo"],
            component: "source-controller",
            columns: [("URL", ".spec.url", "string"), age, ready, message],
            spec: .object(
                "HelmRepositorySpec specifies the required configuration to produce an Artifact for a Helm repository index YAML.",
                common + [
                    ("url", .string("URL of the Helm repository, a valid URL contains at least a protocol and host.")),
                    ("secretRef", FluxSchema.localReference),
                    ("type", .enumeration("Type of the HelmRepository.", ["default", "oci"])),
                    (
                        "provider",
                        .enumeration("Provider used for authentication.", ["generic", "aws", "azure", "gcp"])
                    ),
                    (
                        "passCredentials",
                        .boolean(
                            "PassCredentials allows the credentials from the SecretRef to be passed on to a host that does not match the host as defined in URL."
                        )
                    ),
                ], required: ["url"]),
            status: sourceStatus),
        Definition(
            group: source, version: "v1", kind: "HelmChart", plural: "helmcharts", shortNames: ["hc"],
            component: "source-controller",
            columns: [
                ("Chart", ".spec.chart", "string"), ("Version", ".spec.version", "string"),
                ("Source Kind", ".spec.sourceRef.kind", "string"), ("Source Name", ".spec.sourceRef.name", "string"),
                age, ready, message,
            ],
            spec: .object(
                "HelmChartSpec specifies the desired state of a Helm chart.",
                common + [
                    ("chart", .string("Chart is the name or path the Helm chart is available at in the SourceRef.")),
                    (
                        "version",
                        .string(
                            "Version is the chart version semver expression, ignored for charts from GitRepository and Bucket sources."
                        )
                    ),
                    (
                        "sourceRef",
                        FluxSchema.namespacedReference(
                            "SourceRef is the reference to the Source the chart is available at.")
                    ),
                    (
                        "reconcileStrategy",
                        .enumeration(
                            "ReconcileStrategy determines what enables the creation of a new artifact.",
                            ["ChartVersion", "Revision"])
                    ),
                    (
                        "valuesFiles",
                        .array(
                            "ValuesFiles is an alternative list of values files to use as the chart values.",
                            .string(""))
                    ),
                ], required: ["chart", "interval", "sourceRef"]),
            status: FluxSchema.status(
                "HelmChartStatus records the observed state of the HelmChart.",
                [
                    ("artifact", FluxSchema.artifact),
                    (
                        "observedChartName",
                        .string(
                            "ObservedChartName is the last observed chart name as specified by the resolved chart reference."
                        )
                    ),
                    (
                        "observedSourceArtifactRevision",
                        .string(
                            "ObservedSourceArtifactRevision is the last observed Artifact.Revision of the HelmChartSpec.SourceRef."
                        )
                    ),
                    ("url", .string("URL is the dynamic fetch link for the latest Artifact.")),
                ])),
        Definition(
            group: source, version: "v1", kind: "OCIRepository", plural: "ocirepositories", shortNames: ["ocirepo"],
            component: "source-controller",
            columns: [("URL", ".spec.url", "string"), ready, message, age],
            spec: .object(
                "OCIRepositorySpec defines the desired state of OCIRepository.",
                common + [
                    (
                        "url",
                        .string(
                            "URL is a reference to an OCI artifact repository hosted on a remote container registry.")
                    ),
                    (
                        "ref",
                        .object(
                            "The OCI reference to pull and monitor for changes, defaults to the latest tag.",
                            [
                                ("tag", .string("Tag is the image tag to pull, defaults to latest.")),
                                (
                                    "semver",
                                    .string(
                                        "SemVer is the range of tags to pull selecting the latest within the range.")
                                ),
                                (
                                    "digest",
                                    .string("Digest is the image digest to pull, takes precedence over SemVer.")
                                ),
                            ])
                    ),
                    ("secretRef", FluxSchema.localReference),
                    (
                        "provider",
                        .enumeration(
                            "The provider used for authentication, can be 'aws', 'azure', 'gcp' or 'generic'.",
                            ["generic", "aws", "azure", "gcp"])
                    ),
                ], required: ["interval", "url"]),
            status: sourceStatus),
        Definition(
            group: source, version: "v1", kind: "Bucket", plural: "buckets", shortNames: [],
            component: "source-controller",
            columns: [("Endpoint", ".spec.endpoint", "string"), age, ready, message],
            spec: .object(
                "BucketSpec specifies the required configuration to produce an Artifact for an object storage bucket.",
                common + [
                    ("bucketName", .string("BucketName is the name of the object storage bucket.")),
                    ("endpoint", .string("Endpoint is the object storage address the BucketName is located at.")),
                    (
                        "provider",
                        .enumeration("Provider of the object storage bucket.", ["generic", "aws", "gcp", "azure"])
                    ),
                    ("region", .string("Region of the Endpoint where the BucketName is located in.")),
                    ("insecure", .boolean("Insecure allows connecting to a non-TLS HTTP Endpoint.")),
                    ("secretRef", FluxSchema.localReference),
                ], required: ["bucketName", "endpoint", "interval"]),
            status: sourceStatus),
        Definition(
            group: kustomize, version: "v1", kind: "Kustomization", plural: "kustomizations", shortNames: ["ks"],
            component: "kustomize-controller",
            columns: [age, ready, message],
            spec: .object(
                "KustomizationSpec defines the configuration to calculate the desired state from a Source using Kustomize.",
                [
                    (
                        "commonMetadata",
                        .object(
                            "CommonMetadata specifies the common labels and annotations that are applied to all resources.",
                            [
                                ("annotations", .stringMap("Annotations to be added to the object's metadata.")),
                                ("labels", .stringMap("Labels to be added to the object's metadata.")),
                            ])
                    ),
                    (
                        "decryption",
                        .object(
                            "Decrypt Kubernetes secrets before applying them on the cluster.",
                            [
                                ("provider", .enumeration("Provider is the name of the decryption engine.", ["sops"])),
                                ("secretRef", FluxSchema.localReference),
                                (
                                    "serviceAccountName",
                                    .string(
                                        "ServiceAccountName is the name of the service account used to authenticate with KMS services from cloud providers."
                                    )
                                ),
                            ], required: ["provider"])
                    ),
                    ("dependsOn", FluxSchema.dependsOn),
                    (
                        "force",
                        .boolean(
                            "Force instructs the controller to recreate resources when patching fails due to an immutable field change."
                        )
                    ),
                    (
                        "images",
                        .array(
                            "Images is a list of (image name, new name, new tag or digest) for changing image names, tags or digests.",
                            .object(
                                "Image contains an image name, a new name, a new tag or digest, which will replace the original name and tag.",
                                [
                                    ("name", .string("Name is a tag-less image name.")),
                                    ("newName", .string("NewName is the value used to replace the original name.")),
                                    ("newTag", .string("NewTag is the value used to replace the original tag.")),
                                    ("digest", .string("Digest is the value used to replace the original image tag.")),
                                ], required: ["name"]))
                    ),
                    ("interval", .duration("The interval at which to reconcile the Kustomization.")),
                    ("namePrefix", .string("NamePrefix will prefix the names of all managed resources.")),
                    ("nameSuffix", .string("NameSuffix will suffix the names of all managed resources.")),
                    (
                        "patches",
                        .array(
                            "Strategic merge and JSON patches, defined as inline YAML objects, capable of targeting objects based on kind, label and annotation selectors.",
                            .object(
                                "Patch contains an inline StrategicMerge or JSON6902 patch, and the target the patch should be applied to.",
                                [
                                    (
                                        "patch",
                                        .string(
                                            "Patch contains an inline StrategicMerge patch or an inline JSON6902 patch with an array of operation objects."
                                        )
                                    ),
                                    (
                                        "target",
                                        .object(
                                            "Target points to the resources that the patch document should be applied to.",
                                            [
                                                ("group", .string("")), ("version", .string("")), ("kind", .string("")),
                                                ("name", .string("")), ("namespace", .string("")),
                                                ("labelSelector", .string("")), ("annotationSelector", .string("")),
                                            ])
                                    ),
                                ], required: ["patch"]))
                    ),
                    (
                        "path",
                        .string(
                            "Path to the directory containing the kustomization.yaml file, or the set of plain YAMLs a kustomization.yaml should be generated for."
                        )
                    ),
                    (
                        "postBuild",
                        .object(
                            "PostBuild describes which actions to perform on the YAML manifest generated by building the kustomize overlay.",
                            [
                                ("substitute", .stringMap("Substitute holds a map of key/value pairs.")),
                                ("substituteFrom", .free("SubstituteFrom holds references to ConfigMaps and Secrets.")),
                            ])
                    ),
                    ("prune", .boolean("Prune enables garbage collection.")),
                    ("retryInterval", .duration("The interval at which to retry a previously failed reconciliation.")),
                    (
                        "serviceAccountName",
                        .string(
                            "The name of the Kubernetes service account to impersonate when reconciling this Kustomization."
                        )
                    ),
                    (
                        "sourceRef",
                        FluxSchema.namespacedReference("Reference of the source where the kustomization file is.")
                    ),
                    (
                        "suspend",
                        .boolean(
                            "This flag tells the controller to suspend subsequent kustomize executions, it does not apply to already started executions."
                        )
                    ),
                    (
                        "targetNamespace",
                        .string("TargetNamespace sets or overrides the namespace in the kustomization.yaml file.")
                    ),
                    ("timeout", .duration("Timeout for validation, apply and health checking operations.")),
                    (
                        "wait",
                        .boolean("Wait instructs the controller to check the health of all the reconciled resources.")
                    ),
                    (
                        "healthChecks",
                        .array(
                            "A list of resources to be included in the health assessment.",
                            FluxSchema.namespacedReference(""))
                    ),
                ], required: ["interval", "prune", "sourceRef"]),
            status: FluxSchema.status(
                "KustomizationStatus defines the observed state of a kustomization.",
                [
                    (
                        "inventory",
                        .object(
                            "Inventory contains the list of Kubernetes resource object references that have been successfully applied.",
                            [
                                (
                                    "entries",
                                    .array(
                                        "Entries of Kubernetes resource object references.",
                                        .object(
                                            "ResourceRef contains the information necessary to locate a resource within a cluster.",
                                            [
                                                (
                                                    "id",
                                                    .string(
                                                        "ID is the string representation of the Kubernetes resource object's metadata, in the format '<namespace>_<name>_<group>_<kind>'."
                                                    )
                                                ),
                                                (
                                                    "v",
                                                    .string(
                                                        "Version is the API version of the Kubernetes resource object's kind."
                                                    )
                                                ),
                                            ], required: ["id", "v"]))
                                )
                            ], required: ["entries"])
                    ),
                    (
                        "lastAppliedRevision",
                        .string(
                            "The last successfully applied revision. Equals the Revision of the applied Artifact from the referenced Source."
                        )
                    ),
                    ("lastAppliedOriginRevision", .string("The last successfully applied origin revision.")),
                    (
                        "lastAttemptedRevision",
                        .string("LastAttemptedRevision is the revision of the last reconciliation attempt.")
                    ),
                    ("history", .free("History contains a set of snapshots of the last reconciliation attempts.")),
                ])),
        Definition(
            group: helm, version: "v2", kind: "HelmRelease", plural: "helmreleases", shortNames: ["hr"],
            component: "helm-controller",
            columns: [age, ready, message],
            spec: .object(
                "HelmReleaseSpec defines the desired state of a Helm release.",
                [
                    (
                        "chart",
                        .object(
                            "Chart defines the template of the v1.HelmChart that should be created for this HelmRelease.",
                            [
                                (
                                    "spec",
                                    .object(
                                        "Spec holds the template for the v1.HelmChartSpec for this HelmRelease.",
                                        [
                                            (
                                                "chart",
                                                .string(
                                                    "The name or path the Helm chart is available at in the SourceRef.")
                                            ),
                                            (
                                                "version",
                                                .string(
                                                    "Version semver expression, ignored for charts from v1.GitRepository and v1beta2.Bucket sources."
                                                )
                                            ),
                                            (
                                                "sourceRef",
                                                FluxSchema.namespacedReference(
                                                    "The name and namespace of the v1.Source the chart is available at."
                                                )
                                            ),
                                            (
                                                "interval",
                                                .duration("Interval at which to check the v1.Source for updates.")
                                            ), ("reconcileStrategy", .string("")),
                                        ], required: ["chart", "sourceRef"])
                                )
                            ], required: ["spec"])
                    ),
                    (
                        "chartRef",
                        FluxSchema.namespacedReference(
                            "ChartRef holds a reference to a source controller resource containing the Helm chart artifact."
                        )
                    ),
                    ("dependsOn", FluxSchema.dependsOn),
                    (
                        "install",
                        .object(
                            "Install holds the configuration for Helm install actions for this HelmRelease.",
                            [
                                (
                                    "createNamespace",
                                    .boolean(
                                        "CreateNamespace tells the Helm install action to create the HelmReleaseSpec.TargetNamespace if it does not exist yet."
                                    )
                                ),
                                (
                                    "crds",
                                    .enumeration(
                                        "CRDs upgrade CRDs from the Helm Chart's crds directory according to the CRD upgrade policy provided here.",
                                        ["Skip", "Create", "CreateReplace"])
                                ),
                                (
                                    "remediation",
                                    .free(
                                        "Remediation holds the remediation configuration for when the Helm install action for the HelmRelease fails."
                                    )
                                ),
                            ])
                    ),
                    (
                        "upgrade",
                        .free("Upgrade holds the configuration for Helm upgrade actions for this HelmRelease.")
                    ),
                    ("interval", .duration("Interval at which to reconcile the Helm release.")),
                    (
                        "releaseName",
                        .string(
                            "ReleaseName used for the Helm release. Defaults to a composition of '[TargetNamespace-]Name'."
                        )
                    ),
                    (
                        "storageNamespace",
                        .string(
                            "StorageNamespace used for the Helm storage. Defaults to the namespace of the HelmRelease.")
                    ),
                    (
                        "suspend",
                        .boolean("Suspend tells the controller to suspend reconciliation for this HelmRelease.")
                    ),
                    (
                        "targetNamespace",
                        .string(
                            "TargetNamespace to target when performing operations for the HelmRelease. Defaults to the namespace of the HelmRelease."
                        )
                    ),
                    (
                        "timeout",
                        .duration(
                            "Timeout is the time to wait for any individual Kubernetes operation during the performance of a Helm action."
                        )
                    ),
                    ("values", .free("Values holds the values for this Helm release.")),
                    (
                        "valuesFrom",
                        .free("ValuesFrom holds references to resources containing Helm values for this HelmRelease.")
                    ),
                ], required: ["interval"]),
            status: FluxSchema.status(
                "HelmReleaseStatus defines the observed state of a HelmRelease.",
                [
                    (
                        "helmChart",
                        .string(
                            "HelmChart is the namespaced name of the HelmChart resource created by the controller for the HelmRelease."
                        )
                    ),
                    (
                        "history",
                        .array(
                            "History holds the history of Helm releases performed for this HelmRelease up to the last successfully completed release.",
                            .object(
                                "Snapshot captures a point-in-time copy of the status information for a Helm release.",
                                [
                                    (
                                        "chartName",
                                        .string("ChartName is the chart name of the release object in storage.")
                                    ),
                                    (
                                        "chartVersion",
                                        .string("ChartVersion is the chart version of the release object in storage.")
                                    ),
                                    (
                                        "appVersion",
                                        .string("AppVersion is the chart app version of the release object in storage.")
                                    ),
                                    (
                                        "configDigest",
                                        .string(
                                            "ConfigDigest is the checksum of the config (better known as 'values') of the release object in storage."
                                        )
                                    ), ("digest", .string("Digest is the checksum of the release object in storage.")),
                                    ("firstDeployed", .time("FirstDeployed is when the release was first deployed.")),
                                    ("lastDeployed", .time("LastDeployed is when the release was last deployed.")),
                                    ("name", .string("Name is the name of the release.")),
                                    ("namespace", .string("Namespace is the namespace the release is deployed to.")),
                                    ("status", .string("Status is the current state of the release.")),
                                    ("version", .integer("Version is the version of the release object in storage.")),
                                ],
                                required: [
                                    "chartName", "chartVersion", "configDigest", "digest", "firstDeployed",
                                    "lastDeployed", "name", "namespace", "status", "version",
                                ]))
                    ),
                    (
                        "lastAttemptedGeneration",
                        .integer(
                            "LastAttemptedGeneration is the last generation the controller attempted to reconcile.")
                    ),
                    (
                        "lastAttemptedReleaseAction",
                        .enumeration(
                            "LastAttemptedReleaseAction is the last release action performed for this HelmRelease.",
                            ["install", "upgrade"])
                    ),
                    (
                        "lastAttemptedRevision",
                        .string("LastAttemptedRevision is the Source revision of the last reconciliation attempt.")
                    ),
                    (
                        "lastAttemptedValuesChecksum",
                        .string(
                            "LastAttemptedValuesChecksum is the SHA1 checksum for the values of the last reconciliation attempt."
                        )
                    ),
                    (
                        "storageNamespace",
                        .string(
                            "StorageNamespace is the namespace of the Helm release storage for the current release.")
                    ),
                    (
                        "installFailures",
                        .integer("InstallFailures is the install failure count against the latest desired state.")
                    ),
                    (
                        "upgradeFailures",
                        .integer("UpgradeFailures is the upgrade failure count against the latest desired state.")
                    ),
                ])),
        Definition(
            group: notification, version: "v1beta3", kind: "Alert", plural: "alerts", shortNames: [],
            component: "notification-controller",
            columns: [age],
            spec: .object(
                "AlertSpec defines an alerting rule for events involving a list of objects.",
                [
                    ("providerRef", FluxSchema.localReference),
                    (
                        "eventSeverity",
                        .enumeration(
                            "EventSeverity specifies how to filter events based on severity.", ["info", "error"])
                    ),
                    (
                        "eventSources",
                        .array(
                            "EventSources specifies how to filter events based on the involved object kind, name and namespace.",
                            .free(
                                "CrossNamespaceObjectReference contains enough information to let you locate the typed referenced object at cluster level."
                            ))
                    ),
                    (
                        "exclusionList",
                        .array(
                            "ExclusionList specifies a list of Golang regular expressions to be used for excluding messages.",
                            .string(""))
                    ),
                    ("summary", .string("Summary holds a short description of the impact and affected cluster.")),
                    (
                        "suspend",
                        .boolean("Suspend tells the controller to suspend subsequent events handling for this Alert.")
                    ),
                ], required: ["eventSources", "providerRef"]),
            status: nil),
        Definition(
            group: notification, version: "v1beta3", kind: "Provider", plural: "providers", shortNames: [],
            component: "notification-controller",
            columns: [age],
            spec: .object(
                "ProviderSpec defines the desired state of the Provider.",
                [
                    ("type", .string("Type specifies which Provider implementation to use.")),
                    ("channel", .string("Channel specifies the destination channel where events should be posted.")),
                    (
                        "address",
                        .string("Address specifies the endpoint, in a generic sense, to where alerts are sent.")
                    ),
                    ("secretRef", FluxSchema.localReference),
                    (
                        "suspend",
                        .boolean(
                            "Suspend tells the controller to suspend subsequent events handling for this Provider.")
                    ),
                ], required: ["type"]),
            status: nil),
        Definition(
            group: notification, version: "v1", kind: "Receiver", plural: "receivers", shortNames: [],
            component: "notification-controller",
            columns: [age, ready, message],
            spec: .object(
                "ReceiverSpec defines the desired state of the Receiver.",
                [
                    (
                        "type",
                        .string(
                            "Type of webhook sender, used to determine the validation procedure and payload deserialization."
                        )
                    ),
                    ("interval", .duration("Interval at which to reconcile the Receiver with its Secret references.")),
                    (
                        "events",
                        .array(
                            "Events specifies the list of event types to handle, e.g. 'push' for GitHub or 'Push Hook' for GitLab.",
                            .string(""))
                    ),
                    (
                        "resources",
                        .array(
                            "A list of resources to be notified about changes.",
                            .free(
                                "CrossNamespaceObjectReference contains enough information to let you locate the typed referenced object at cluster level."
                            ))
                    ),
                    ("secretRef", FluxSchema.localReference),
                    (
                        "suspend",
                        .boolean(
                            "Suspend tells the controller to suspend subsequent events handling for this receiver.")
                    ),
                ], required: ["resources", "secretRef", "type"]),
            status: FluxSchema.status(
                "ReceiverStatus defines the observed state of the Receiver.",
                [
                    (
                        "webhookPath",
                        .string(
                            "WebhookPath is the generated incoming webhook address in the format of '/hook/sha256sum(token+name+namespace)'."
                        )
                    )
                ])),
    ]

    /// The CRD object, labelled as the release labels it.
    static func document(_ d: Definition, labels: Document) -> Document {
        var root: [(String, FluxSchema)] = [
            ("apiVersion", .string("APIVersion defines the versioned schema of this representation of an object.")),
            ("kind", .string("Kind is a string value representing the REST resource this object represents.")),
            ("metadata", .object("", [])),
            ("spec", d.spec),
        ]
        if let status = d.status { root.append(("status", status)) }
        var version: [(key: String, value: Document)] = [
            (
                "additionalPrinterColumns",
                .array(
                    d.columns.map {
                        .object([
                            ("jsonPath", .string($0.path)), ("name", .string($0.name)), ("type", .string($0.type)),
                        ])
                    })
            ),
            ("name", .string(d.version)),
            (
                "schema",
                .object([
                    (
                        "openAPIV3Schema",
                        FluxSchema.object("\(d.kind) is the Schema for the \(d.plural) API.", root).document
                    )
                ])
            ),
            ("served", .bool(true)), ("storage", .bool(true)),
        ]
        if d.status != nil { version.append(("subresources", .object([("status", .object([]))]))) }
        var names: [(key: String, value: Document)] = [
            ("kind", .string(d.kind)), ("listKind", .string(d.kind + "List")), ("plural", .string(d.plural)),
        ]
        if !d.shortNames.isEmpty { names.append(("shortNames", .array(d.shortNames.map { .string($0) }))) }
        names.append(("singular", .string(d.kind.lowercased())))
        var labels = labels
        labels.set("app.kubernetes.io/component", .string(d.component))
        return .object([
            ("apiVersion", .string("apiextensions.k8s.io/v1")), ("kind", .string("CustomResourceDefinition")),
            (
                "metadata",
                .object([
                    ("annotations", .object([("controller-gen.kubebuilder.io/version", .string("v0.19.0"))])),
                    ("labels", labels), ("name", .string("\(d.plural).\(d.group)")),
                ])
            ),
            (
                "spec",
                .object([
                    ("group", .string(d.group)), ("names", .object(names)), ("scope", .string("Namespaced")),
                    ("versions", .array([.object(version)])),
                ])
            ),
        ])
    }
}

/// The seed's GitOps repository, as `flux scaffold` writes it: the Flux entry point with the
/// `dependsOn` chain controllers → configs → apps, the platform's HelmReleases, the cluster's
/// issuers and middlewares, one example app, `.sops.yaml` and a CI workflow. Values come from the
/// inventory (domain, cluster path, node count); chart versions are pinned here, in one place
/// (the versions the simulated lab's charts are, so a rehearsal installs what a real lab would).
struct GitOpsTree {
    /// The lab's DNS domain (`home.example.com`): ingress hosts and certificates live under it.
    var domain: String
    /// Where the cluster's Flux entry point lives (`kubernetes/clusters/homelab`).
    var clusterPath: String
    /// How many nodes Longhorn may place replicas on: its replica count is at most this.
    var nodes: Int
    /// The age recipient (`age1…`) the repository's secrets are encrypted to.
    var ageRecipient: String

    /// One pinned Helm chart.
    struct Chart {
        var name: String
        var repository: String
        var repositoryURL: String
        var version: String
        var namespace: String
    }

    static let traefik = Chart(
        name: "traefik", repository: "traefik", repositoryURL: "https://traefik.github.io/charts", version: "27.0.2",
        namespace: "traefik")
    static let certManager = Chart(
        name: "cert-manager", repository: "jetstack", repositoryURL: "https://charts.jetstack.io", version: "v1.18.2",
        namespace: "cert-manager")
    static let longhorn = Chart(
        name: "longhorn", repository: "longhorn", repositoryURL: "https://charts.longhorn.io", version: "1.9.1",
        namespace: "longhorn-system")
    static let prometheus = Chart(
        name: "kube-prometheus-stack", repository: "prometheus-community",
        repositoryURL: "https://prometheus-community.github.io/helm-charts", version: "79.5.0", namespace: "monitoring")
    static let loki = Chart(
        name: "loki", repository: "grafana", repositoryURL: "https://grafana.github.io/helm-charts", version: "6.46.0",
        namespace: "monitoring")
    static let alloy = Chart(
        name: "alloy", repository: "grafana", repositoryURL: "https://grafana.github.io/helm-charts", version: "1.4.0",
        namespace: "monitoring")

    /// Where Loki answers in the cluster: the gateway Service (`<fullname>-gateway`, port 80) the
    /// loki chart renders by default, the one its own canary pushes to. Alloy pushes here
    /// (`/loki/api/v1/push`) and Grafana queries it.
    static var lokiURL: String { "http://\(loki.name)-gateway.\(loki.namespace).svc.cluster.local" }
    /// The same gateway as the apiserver's service proxy names it (`kube loki --service`).
    static var lokiService: String { "\(loki.namespace)/\(loki.name)-gateway:80" }

    /// Longhorn's replica count: its default of 3 cannot be placed on fewer nodes (the volume
    /// would stay degraded), and more than 3 buys nothing here.
    var replicas: Int { max(1, min(3, nodes)) }

    var kubernetes: String {
        let parts = clusterPath.split(separator: "/")
        return parts.count > 2 ? parts.dropLast(2).joined(separator: "/") : "kubernetes"
    }

    /// Every file, by its path in the repository. The SOPS-encrypted DNS token is added by the
    /// caller, which holds the key material (`secretPath`).
    func files() -> [(path: String, text: String)] {
        var files: [(String, String)] = [
            (".sops.yaml", sopsConfig), (".github/workflows/validate.yml", workflow),
            ("\(clusterPath)/infrastructure.yaml", entry(Self.controllersName, path: "infrastructure/controllers")),
            (
                "\(clusterPath)/infrastructure-configs.yaml",
                entry(Self.configsName, path: "infrastructure/configs", dependsOn: Self.controllersName, decrypt: true)
            ),
            (
                "\(clusterPath)/apps.yaml",
                entry(Self.appsName, path: "apps/homelab", dependsOn: Self.configsName, decrypt: true)
            ),
            (
                "\(kubernetes)/infrastructure/controllers/kustomization.yaml",
                kustomization(["traefik", "cert-manager", "longhorn", "monitoring"])
            ),
        ]
        for (directory, charts) in [
            ("traefik", [Self.traefik]), ("cert-manager", [Self.certManager]), ("longhorn", [Self.longhorn]),
            ("monitoring", [Self.prometheus, Self.loki, Self.alloy]),
        ] {
            let base = "\(kubernetes)/infrastructure/controllers/\(directory)"
            let repositories = Array(Set(charts.map(\.repository))).sorted()
            files.append(
                (
                    base + "/kustomization.yaml",
                    kustomization(
                        ["namespace.yaml"] + repositories.map { "repository-\($0).yaml" }
                            + charts.map { "release-\($0.name).yaml" })
                ))
            files.append((base + "/namespace.yaml", namespace(charts[0].namespace)))
            for name in repositories {
                let chart = charts.first { $0.repository == name }!
                files.append((base + "/repository-\(name).yaml", helmRepository(chart)))
            }
            for chart in charts { files.append((base + "/release-\(chart.name).yaml", helmRelease(chart))) }
        }
        let configs = "\(kubernetes)/infrastructure/configs"
        files += [
            ("\(configs)/kustomization.yaml", kustomization(["cert-manager", "traefik"])),
            (
                "\(configs)/cert-manager/kustomization.yaml",
                kustomization(["cloudflare-api-token.sops.yaml", "cluster-issuers.yaml", "wildcard-certificate.yaml"])
            ),
            ("\(configs)/cert-manager/cluster-issuers.yaml", clusterIssuers),
            ("\(configs)/cert-manager/wildcard-certificate.yaml", wildcardCertificate),
            ("\(configs)/traefik/kustomization.yaml", kustomization(["middlewares.yaml"])),
            ("\(configs)/traefik/middlewares.yaml", middlewares),
            (
                "\(kubernetes)/apps/base/whoami/kustomization.yaml",
                kustomization(["namespace.yaml", "deployment.yaml", "service.yaml", "volume.yaml", "ingress.yaml"])
            ),
            ("\(kubernetes)/apps/base/whoami/namespace.yaml", namespace("whoami")),
            ("\(kubernetes)/apps/base/whoami/deployment.yaml", appDeployment),
            ("\(kubernetes)/apps/base/whoami/service.yaml", appService),
            ("\(kubernetes)/apps/base/whoami/volume.yaml", appVolume),
            ("\(kubernetes)/apps/base/whoami/ingress.yaml", appIngress),
            ("\(kubernetes)/apps/homelab/kustomization.yaml", kustomization(["../base/whoami"])),
        ]
        return files
    }

    static let controllersName = "infrastructure-controllers"
    static let configsName = "infrastructure-configs"
    static let appsName = "apps"

    /// Where the SOPS-encrypted Cloudflare API token goes.
    var secretPath: String { "\(kubernetes)/infrastructure/configs/cert-manager/cloudflare-api-token.sops.yaml" }

    /// The plaintext of that Secret, before `secret encrypt`-style encryption.
    static func dnsTokenSecret(_ token: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: cloudflare-api-token
          namespace: cert-manager
        type: Opaque
        stringData:
          api-token: \(token)

        """
    }

    // MARK: Files

    private var sopsConfig: String {
        """
        # Which files SOPS encrypts, and to whom: Secrets' data only, so Flux can read the rest.
        # Encrypt with `hlsh -c 'secret encrypt FILE'`; Flux decrypts with the sops-age Secret.
        creation_rules:
          - path_regex: \(kubernetes)/.*\\.sops\\.yaml$
            encrypted_regex: ^(data|stringData)$
            age: \(ageRecipient)

        """
    }

    private var workflow: String {
        """
        # Validates the GitOps tree on every push and pull request, as the cluster would build it.
        name: validate
        on:
          push:
            branches: [main]
          pull_request:
        jobs:
          validate:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: Install hlsh
                run: curl -fsSL https://github.com/hlsh-dev/hlsh/releases/latest/download/hlsh-linux-x86_64 -o /usr/local/bin/hlsh && chmod +x /usr/local/bin/hlsh
              - name: Validate
                run: hlsh -c 'flux validate .'

        """
    }

    private func entry(_ name: String, path: String, dependsOn: String? = nil, decrypt: Bool = false) -> String {
        var text = """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: \(name)
              namespace: flux-system
            spec:

            """
        if let dependsOn { text += "  dependsOn:\n    - name: \(dependsOn)\n" }
        text += """
              interval: 1h
              retryInterval: 1m
              timeout: 5m
              sourceRef:
                kind: GitRepository
                name: flux-system
              path: ./\(kubernetes)/\(path)
              prune: true
              wait: true

            """
        if decrypt { text += "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n" }
        return text
    }

    private func kustomization(_ resources: [String]) -> String {
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
            + resources.map { "  - \($0)\n" }.joined()
    }

    private func namespace(_ name: String) -> String {
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(name)\n"
    }

    private func helmRepository(_ chart: Chart) -> String {
        """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata:
          name: \(chart.repository)
          namespace: \(chart.namespace)
        spec:
          interval: 24h
          url: \(chart.repositoryURL)

        """
    }

    private func helmRelease(_ chart: Chart) -> String {
        var text = """
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata:
              name: \(chart.name)
              namespace: \(chart.namespace)
            spec:
              interval: 30m
              chart:
                spec:
                  chart: \(chart.name)
                  version: "\(chart.version)"
                  sourceRef:
                    kind: HelmRepository
                    name: \(chart.repository)
              install:
                crds: CreateReplace
              upgrade:
                crds: CreateReplace

            """
        text += values(chart)
        return text
    }

    private func values(_ chart: Chart) -> String {
        switch chart.name {
        case "cert-manager":
            return "  values:\n    crds:\n      enabled: true\n"
        case "longhorn":
            // Longhorn's default of 3 replicas cannot be placed on a two-node lab: the volume
            // would stay degraded. Both places that set it must agree.
            return """
                  values:
                    persistence:
                      defaultClassReplicaCount: \(replicas)
                    defaultSettings:
                      defaultReplicaCount: "\(replicas)"

                """
        case "traefik":
            return """
                  values:
                    ingressClass:
                      enabled: true
                      isDefaultClass: true
                    service:
                      type: LoadBalancer

                """
        case "kube-prometheus-stack":
            return """
                  values:
                    grafana:
                      ingress:
                        enabled: true
                        hosts: [grafana.\(domain)]
                        tls:
                          - hosts: [grafana.\(domain)]
                            secretName: grafana-tls
                        annotations:
                          cert-manager.io/cluster-issuer: letsencrypt-production
                      additionalDataSources:
                        - name: Loki
                          type: loki
                          access: proxy
                          url: \(Self.lokiURL)

                """
        case "alloy":
            return """
                  values:
                    alloy:
                      configMap:
                        content: |
                          // The pods of this Alloy's node (the chart sets HOSTNAME to the node's name).
                          discovery.kubernetes "pods" {
                            role = "pod"
                            selectors {
                              role  = "pod"
                              field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)
                            }
                          }

                          // Loki's labels: where each line comes from.
                          discovery.relabel "pods" {
                            targets = discovery.kubernetes.pods.targets
                            rule {
                              source_labels = ["__meta_kubernetes_namespace"]
                              target_label  = "namespace"
                            }
                            rule {
                              source_labels = ["__meta_kubernetes_pod_name"]
                              target_label  = "pod"
                            }
                            rule {
                              source_labels = ["__meta_kubernetes_pod_container_name"]
                              target_label  = "container"
                            }
                            rule {
                              source_labels = ["__meta_kubernetes_pod_node_name"]
                              target_label  = "node"
                            }
                          }

                          // Their containers' logs, read through the API (pods/log): no host mounts.
                          loki.source.kubernetes "pods" {
                            targets    = discovery.relabel.pods.output
                            forward_to = [loki.write.default.receiver]
                          }

                          loki.write "default" {
                            endpoint {
                              url = "\(Self.lokiURL)/loki/api/v1/push"
                            }
                          }

                """
        case "loki":
            // The chart refuses to render without a schema, and SingleBinary on the filesystem
            // needs the simple-scalable targets at 0 and one replica in the ring; its 8 GiB
            // memcached chunks cache would not fit a homelab node.
            return """
                  values:
                    deploymentMode: SingleBinary
                    loki:
                      auth_enabled: false
                      commonConfig:
                        replication_factor: 1
                      storage:
                        type: filesystem
                      schemaConfig:
                        configs:
                          - from: "2024-04-01"
                            store: tsdb
                            object_store: filesystem
                            schema: v13
                            index:
                              prefix: loki_index_
                              period: 24h
                    singleBinary:
                      replicas: 1
                    backend:
                      replicas: 0
                    read:
                      replicas: 0
                    write:
                      replicas: 0
                    chunksCache:
                      enabled: false

                """
        default:
            return ""
        }
    }

    private var clusterIssuers: String {
        ["staging", "production"].map { stage in
            let server =
                stage == "staging"
                ? "https://acme-staging-v02.api.letsencrypt.org/directory"
                : "https://acme-v02.api.letsencrypt.org/directory"
            return """
                apiVersion: cert-manager.io/v1
                kind: ClusterIssuer
                metadata:
                  name: letsencrypt-\(stage)
                spec:
                  acme:
                    server: \(server)
                    email: admin@\(domain)
                    privateKeySecretRef:
                      name: letsencrypt-\(stage)-account-key
                    solvers:
                      - dns01:
                          cloudflare:
                            apiTokenSecretRef:
                              name: cloudflare-api-token
                              key: api-token

                """
        }.joined(separator: "---\n")
    }

    private var wildcardCertificate: String {
        """
        apiVersion: cert-manager.io/v1
        kind: Certificate
        metadata:
          name: wildcard
          namespace: cert-manager
        spec:
          secretName: wildcard-tls
          issuerRef:
            kind: ClusterIssuer
            name: letsencrypt-production
          dnsNames:
            - "\(domain)"
            - "*.\(domain)"

        """
    }

    private var middlewares: String {
        """
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: security-headers
          namespace: traefik
        spec:
          headers:
            stsSeconds: 31536000
            stsIncludeSubdomains: true
            contentTypeNosniff: true
            frameDeny: true
            referrerPolicy: same-origin

        """
    }

    private var appDeployment: String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: whoami
          namespace: whoami
        spec:
          replicas: 1
          selector:
            matchLabels:
              app.kubernetes.io/name: whoami
          template:
            metadata:
              labels:
                app.kubernetes.io/name: whoami
            spec:
              containers:
                - name: whoami
                  image: traefik/whoami:v1.11.0
                  ports:
                    - name: http
                      containerPort: 80
                  volumeMounts:
                    - name: data
                      mountPath: /data
              volumes:
                - name: data
                  persistentVolumeClaim:
                    claimName: whoami-data

        """
    }

    private var appService: String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: whoami
          namespace: whoami
        spec:
          selector:
            app.kubernetes.io/name: whoami
          ports:
            - name: http
              port: 80
              targetPort: http

        """
    }

    private var appVolume: String {
        """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: whoami-data
          namespace: whoami
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: longhorn
          resources:
            requests:
              storage: 1Gi

        """
    }

    private var appIngress: String {
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: whoami
          namespace: whoami
          annotations:
            cert-manager.io/cluster-issuer: letsencrypt-production
            traefik.ingress.kubernetes.io/router.middlewares: traefik-security-headers@kubernetescrd
        spec:
          ingressClassName: traefik
          tls:
            - hosts: [whoami.\(domain)]
              secretName: whoami-tls
          rules:
            - host: whoami.\(domain)
              http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: whoami
                        port:
                          name: http

        """
    }
}

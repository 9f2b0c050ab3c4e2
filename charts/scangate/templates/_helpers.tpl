{{/* Names */}}
{{- define "scangate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "scangate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "scangate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "scangate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: include "scangate.selectorLabels" (list . "webhook") */}}
{{- define "scangate.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "scangate.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "scangate.webhookServiceName" -}}{{ include "scangate.fullname" . }}-webhook{{- end -}}
{{- define "scangate.adminServiceName" -}}{{ include "scangate.fullname" . }}-admin{{- end -}}
{{- define "scangate.redisName" -}}{{ include "scangate.fullname" . }}-redis{{- end -}}
{{- define "scangate.secretName" -}}{{ include "scangate.fullname" . }}-secrets{{- end -}}

{{- define "scangate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "scangate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "scangate.tlsSecretName" -}}
{{- if eq .Values.tls.mode "existingSecret" -}}
{{- required "tls.existingSecret.name is required when tls.mode is existingSecret" .Values.tls.existingSecret.name -}}
{{- else -}}
{{- include "scangate.fullname" . }}-webhook-tls
{{- end -}}
{{- end -}}

{{- define "scangate.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* DNS names the serving certificate must cover (the API server calls <svc>.<ns>.svc). */}}
{{- define "scangate.webhookDNSNames" -}}
{{- $svc := include "scangate.webhookServiceName" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson -}}
{{- end -}}

{{/* The worker runs when an analyzer is selected: with analyzer none nothing is queued. */}}
{{- define "scangate.workerEnabled" -}}
{{- if and .Values.worker.enabled (ne .Values.analyzer.type "none") -}}true{{- end -}}
{{- end -}}

{{/* Namespaces the API server never sends to scangate: its own and the exact exempt names. */}}
{{- define "scangate.excludedNamespaces" -}}
{{- $names := list .Release.Namespace -}}
{{- range .Values.admission.exemptNamespaces -}}
{{- if not (contains "*" .) -}}{{- $names = append $names . -}}{{- end -}}
{{- end -}}
{{- $names | uniq | sortAlpha | toJson -}}
{{- end -}}

{{/*
A secret value kept across upgrades: the value given, else the one already in the release's
Secret (lookup), else a new random one. lookup is empty under `helm template`.
*/}}
{{- define "scangate.persistentSecret" -}}
{{- $root := index . 0 -}}
{{- $key := index . 1 -}}
{{- $given := index . 2 -}}
{{- if $given -}}
{{- $given -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" $root.Release.Namespace (include "scangate.secretName" $root) -}}
{{- if and $existing (index ($existing.data | default dict) $key) -}}
{{- index $existing.data $key | b64dec -}}
{{- else -}}
{{- randAlphaNum 48 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "scangate.redisEnv" -}}
{{- if and (not .Values.redis.bundled) .Values.redis.existingSecret }}
- name: SCANGATE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- end }}
{{- end -}}

{{/* The scangate config file (PRODUCT.md §4): the values' sections plus what the chart wires. */}}
{{- define "scangate.config" -}}
{{- $v := .Values -}}
{{- $analyzer := dict "type" $v.analyzer.type -}}
{{- if eq $v.analyzer.type "anchore" -}}
{{- $a := $v.analyzer.anchore -}}
{{- $anchore := dict "url" (required "analyzer.anchore.url is required when analyzer.type is anchore" $a.url) "username" (required "analyzer.anchore.username is required when analyzer.type is anchore" $a.username) "passwordFile" "/etc/scangate/secrets/anchore-password" "apiVersion" $a.apiVersion -}}
{{- if $a.account }}{{ $_ := set $anchore "account" $a.account }}{{ end -}}
{{- if $a.policyId }}{{ $_ := set $anchore "policyId" $a.policyId }}{{ end -}}
{{- $_ := set $analyzer "anchore" $anchore -}}
{{- else if eq $v.analyzer.type "clair" -}}
{{- $c := $v.analyzer.clair -}}
{{- $clair := dict "url" (required "analyzer.clair.url is required when analyzer.type is clair" $c.url) "issuer" $c.issuer "maxSeverity" $c.maxSeverity "maxUnfixedSeverity" $c.maxUnfixedSeverity "ignore" $c.ignore "platform" $c.platform -}}
{{- if or $c.psk $c.existingSecret }}{{ $_ := set $clair "pskFile" "/etc/scangate/secrets/clair-psk" }}{{ end -}}
{{- $_ := set $clair "notifier" (dict "header" $c.notifier.header "tokenFile" "/etc/scangate/secrets/clair-notifier-token") -}}
{{- $_ := set $analyzer "clair" $clair -}}
{{- end -}}
{{- $registries := dict "insecure" $v.registries.insecure "allowPrivateNetworks" $v.registries.allowPrivateNetworks "privateHosts" $v.registries.privateHosts "platforms" $v.registries.platforms -}}
{{- if $v.registries.dockerConfigSecret }}{{ $_ := set $registries "dockerConfigFile" "/etc/scangate/registry/.dockerconfigjson" }}{{ end -}}
{{- $redis := dict "prefix" $v.redis.prefix -}}
{{- if $v.redis.bundled -}}
{{- $_ := set $redis "url" (printf "redis://%s:6379/0" (include "scangate.redisName" .)) -}}
{{- else if $v.redis.url -}}
{{- $_ := set $redis "url" $v.redis.url -}}
{{- else if not $v.redis.existingSecret -}}
{{- fail "redis: set redis.url or redis.existingSecret when redis.bundled is false" -}}
{{- end -}}
{{- $config := dict
  "server" (dict "port" (int $v.webhook.port))
  "admin" (dict "port" (int $v.webhook.adminPort) "tokenFile" "/etc/scangate/secrets/admin-token")
  "redis" $redis
  "cache" $v.cache
  "admission" $v.admission
  "policy" $v.policy
  "analyzer" $analyzer
  "registries" $registries
  "worker" (dict "concurrency" (int $v.worker.concurrency) "metricsPort" (int $v.worker.metricsPort) "shutdownGraceMs" (int $v.worker.shutdownGraceMs))
  "log" $v.log
  "dataDir" "/tmp/scangate"
-}}
{{- if ge (int $v.admission.waitBudgetMs) (mul (int $v.webhook.timeoutSeconds) 1000 | int) -}}
{{- fail (printf "admission.waitBudgetMs (%d) must be below webhook.timeoutSeconds (%d s): the API server gives up first" (int $v.admission.waitBudgetMs) (int $v.webhook.timeoutSeconds)) -}}
{{- end -}}
{{- mustMergeOverwrite $config (deepCopy $v.extraConfig) | toYaml -}}
{{- end -}}

{{/* Pod-level settings shared by the webhook and the worker. */}}
{{- define "scangate.podCommon" -}}
serviceAccountName: {{ include "scangate.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.rbac.readNamespaces }}
# Kubernetes' service-link variables (SCANGATE_ADMIN_PORT=tcp://…) would look like config keys.
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "scangate.configVolumes" -}}
- name: config
  configMap:
    name: {{ include "scangate.fullname" . }}-config
- name: secrets
  projected:
    sources:
      - secret:
          name: {{ include "scangate.secretName" . }}
      {{- if .Values.admin.existingSecret }}
      - secret:
          name: {{ .Values.admin.existingSecret }}
          items: [{ key: admin-token, path: admin-token }]
      {{- end }}
      {{- if and (eq .Values.analyzer.type "anchore") .Values.analyzer.anchore.existingSecret }}
      - secret:
          name: {{ .Values.analyzer.anchore.existingSecret }}
          items: [{ key: password, path: anchore-password }]
      {{- end }}
      {{- if and (eq .Values.analyzer.type "clair") .Values.analyzer.clair.existingSecret }}
      - secret:
          name: {{ .Values.analyzer.clair.existingSecret }}
          items: [{ key: psk, path: clair-psk }]
      {{- end }}
{{- if .Values.registries.dockerConfigSecret }}
- name: registry-credentials
  secret:
    secretName: {{ .Values.registries.dockerConfigSecret }}
    items: [{ key: .dockerconfigjson, path: .dockerconfigjson }]
{{- end }}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "scangate.configMounts" -}}
- name: config
  mountPath: /etc/scangate/config
  readOnly: true
- name: secrets
  mountPath: /etc/scangate/secrets
  readOnly: true
{{- if .Values.registries.dockerConfigSecret }}
- name: registry-credentials
  mountPath: /etc/scangate/registry
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

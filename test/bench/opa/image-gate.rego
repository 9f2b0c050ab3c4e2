# The seed design's image gate, as OPA-based image gates are deployed for Kubernetes admission:
# the ValidatingWebhookConfiguration points at OPA's root path, and `POST /` with the raw
# AdmissionReview as the body evaluates OPA's default decision, `data.system.main`
# (`opa run --server --set=default_decision=/system/main`, which is also OPA's default), and
# answers that document as-is: a complete AdmissionReview, with no {"result": …} wrapper.
#
# Rules (the same decision as scangate's local rules with `policy.allowedRegistries` set and
# `policy.tags.denyLatest: true`): for Pods, every container, init container and ephemeral
# container image must come from an allowed registry (compared as a whole host, never a prefix)
# and must carry a tag other than `latest` or pin a digest. Other kinds are allowed.
package system

allowed_registries := {"registry.example.com", "ghcr.io"}

main := {
	"apiVersion": api_version,
	"kind": "AdmissionReview",
	"response": response,
}

# Answer in the version asked (v1 or v1beta1).
default api_version := "admission.k8s.io/v1"

api_version := input.apiVersion if is_string(input.apiVersion)

default uid := ""

uid := input.request.uid if is_string(input.request.uid)

response := {"uid": uid, "allowed": true} if count(deny) == 0

response := {
	"uid": uid,
	"allowed": false,
	"status": {"code": 403, "reason": "Forbidden", "message": concat("\n", sort(deny))},
} if count(deny) > 0

# [JSON path, image] for every image of a Pod.
images contains [sprintf("spec.%s[%d].image", [field, i]), container.image] if {
	input.request.kind.kind == "Pod"
	some field in ["containers", "initContainers", "ephemeralContainers"]
	some i, container in input.request.object.spec[field]
}

deny contains sprintf("%s (%q): registry %s is not allowed; use one of: %s", [path, image, registry(image), concat(", ", sort(allowed_registries))]) if {
	some [path, image] in images
	not registry(image) in allowed_registries
}

deny contains sprintf("%s (%q): uses the tag \"latest\"; use a version tag or pin a digest", [path, image]) if {
	some [path, image] in images
	not contains(image, "@")
	tag(image) == "latest"
}

deny contains sprintf("%s (%q): has no tag (implies \"latest\"); use a version tag or pin a digest", [path, image]) if {
	some [path, image] in images
	not contains(image, "@")
	not tag(image)
}

# The registry host as distribution/reference finds it: the first path component when it looks
# like a host (has a dot or a port, or is localhost), else Docker Hub.
registry(image) := host if {
	parts := split(image, "/")
	count(parts) > 1
	host := parts[0]
	looks_like_host(host)
} else := "docker.io"

looks_like_host(s) if contains(s, ".")

looks_like_host(s) if contains(s, ":")

looks_like_host("localhost")

# The tag of the last path component (a registry port is in the first component, not here).
tag(image) := t if {
	parts := split(split(image, "@")[0], "/")
	name_tag := split(parts[count(parts) - 1], ":")
	count(name_tag) == 2
	t := name_tag[1]
}

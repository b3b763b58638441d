// Wrapper module that builds the pulumi-docker resource plugin from Go module sources.
// provider/v5 has no tags of its own, so it is required by the pseudo-version of
// the root tag v5.1.0 (commit e944612c4c97, 2026-06-26 16:50:50 UTC); the Python SDK
// pin pulumi-docker==5.1.0 matches it. Only this module's replace directives apply,
// so the two that upstream's provider/go.mod declares are restated here.
module ticket-dashboard/bootstrap/pulumi-resource-docker

go 1.25.9

require (
	github.com/pulumi/pulumi-docker/provider/v5 v5.0.0-20260626165050-e944612c4c97
	github.com/terraform-providers/terraform-provider-docker v0.0.0
	github.com/terraform-providers/terraform-provider-docker/shim v0.0.0
)

replace (
	github.com/hashicorp/terraform-plugin-sdk/v2 => github.com/pulumi/terraform-plugin-sdk/v2 v2.0.0-20260318212141-5525259d096b
	// Upstream is a git submodule (kreuzwerker/terraform-provider-docker at its
	// v4.5.0 commit 5074970c71ce) whose go.mod keeps the old module path.
	github.com/terraform-providers/terraform-provider-docker => github.com/kreuzwerker/terraform-provider-docker v0.0.0-20260618190003-5074970c71ce
	// The shim package that pulumi-docker generates at build time; ours is in ./shim.
	github.com/terraform-providers/terraform-provider-docker/shim => ./shim
)

tool github.com/pulumi/pulumi-docker/provider/v5/cmd/pulumi-resource-docker

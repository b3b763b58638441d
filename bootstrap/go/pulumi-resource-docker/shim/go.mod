// A nested module under the upstream module's path: Go's internal-package rule is
// checked by import path, so this package may import upstream's internal/provider.
module github.com/terraform-providers/terraform-provider-docker/shim

go 1.25.9

require (
	github.com/hashicorp/terraform-plugin-sdk/v2 v2.37.0
	github.com/terraform-providers/terraform-provider-docker v0.0.0
)

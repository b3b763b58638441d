// Package shim exposes the upstream Terraform docker provider to the Pulumi bridge.
//
// pulumi-docker's resources.go imports this package, which upstream does not ship:
// the provider constructor lives under internal/, out of reach of other modules.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"

	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the upstream provider; "dev" is the version string the
// upstream binary reports when it is not built by its release tooling.
func NewProvider() *schema.Provider {
	return provider.New("dev")()
}

// Wrapper module that builds Pulumi's Python language host from Go module sources.
// The language host lives in its own, untagged module inside github.com/pulumi/pulumi,
// so it is required by the pseudo-version of the v3.246.0 release commit
// (1ff8e765645c, 2026-06-11 15:41:21 UTC). Its go.mod replaces pkg and sdk with
// relative paths; those replaces are ignored here and the pinned releases are used.
module ticket-dashboard/bootstrap/pulumi-language-python

go 1.25.8

require (
	github.com/pulumi/pulumi/pkg/v3 v3.246.0
	github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3 v3.0.0-20260611154121-1ff8e765645c
	github.com/pulumi/pulumi/sdk/v3 v3.246.0
)

// Mirrors upstream's go.mod, so the binary matches an official build.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

tool github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3

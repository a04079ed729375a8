package userpool

import (
	"strings"

	"github.com/cognate/cognate/internal/secret"
)

// A pool id is "<region>_<name>", as Cognito's: the region names the pool in
// ARNs and prefixes its device keys; the name is the SRP realm that clients
// mix into the password verifier (so it must be exactly what they cut).

// SplitPoolID returns the region and the name of a pool id. An id without
// "_" is all region and has no name.
func SplitPoolID(id string) (region, name string) {
	region, name, _ = strings.Cut(id, "_")
	return region, name
}

// newPoolID makes the id of a new pool in region: 9 random letters and
// digits as its name.
func newPoolID(region string) string {
	return region + "_" + secret.RandomAlphanumeric(9)
}

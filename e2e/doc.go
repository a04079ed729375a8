// Package e2e drives a real `cognate serve` process through real clients:
// the AWS CLI, aws-sdk-go-v2 and the cognate command line. Nothing here
// reaches into the server's packages; every assertion is about what a
// client sees on the wire.
package e2e

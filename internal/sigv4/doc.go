// Package sigv4 verifies AWS Signature Version 4 on Cognito's admin (signed)
// operations, answering failures with AWS's own exception types and messages.
// It recomputes the signature with aws-sdk-go-v2's signer over a copy of the
// request holding only the headers the client named in SignedHeaders, with
// their values as received: botocore, the Go SDK and the JS SDK each sign a
// different set (and send unsigned ones besides), so the received list is the
// only description of what was signed, and re-deriving it would reject valid
// requests or let unsigned headers into the signature.
package sigv4

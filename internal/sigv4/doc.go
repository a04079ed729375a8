// Package sigv4 verifies AWS Signature Version 4 on admin requests. It
// recomputes the signature with aws-sdk-go-v2's signer over a copy of the
// request that holds exactly the headers the client listed in SignedHeaders
// — the SDKs sign different header sets, so the received list is the only
// truth — and compares signatures in constant time. Failures carry AWS's
// exception types and messages.
package sigv4

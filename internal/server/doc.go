// Package server is Cognate's HTTP edge: the JSON 1.1 API on POST (dispatch
// on X-Amz-Target, SigV4 for the operations the model marks as signed), the
// JWKS and OIDC discovery documents, health checks and CORS. Handlers decode
// and validate against the botocore model, call the domain, and render the
// wire shapes; they hold no business rules.
package server

// Package awsjson is the JSON 1.1 edge of the API: it checks a request body
// against the operation's input shape in the service model — JSON syntax and
// member types (SerializationException), then every constraint
// (InvalidParameterException in Coral's "N validation errors detected"
// form) — before decoding it, and writes results and errors exactly as
// Cognito does (__type, message, x-amzn-ErrorType, x-amzn-RequestId).
package awsjson

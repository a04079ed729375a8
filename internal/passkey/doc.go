// Package passkey is the WebAuthn ceremony (userpool.PasskeyCeremony) over
// github.com/go-webauthn/webauthn: the options documents that browsers and
// Amplify take, and the verification of registration and assertion
// responses (attestation, COSE keys, signatures, flags). It sits around the
// domain so that internal/userpool holds no protocol code: the domain
// decides who may register or sign in, this package checks the bytes.
package passkey

// Package userpool holds Cognate's domain: user pools, app clients, users,
// token families (sign-in sessions) and the rules that govern them — who may
// sign in, how tokens are refreshed, and how sign-out revokes them. It knows
// nothing of HTTP or SQL: storage is reached through the Store interface,
// which every backend implements and the contract suite in
// internal/store/storetest checks. Errors are *Error values whose Type is the
// Cognito exception name, so the wire layer maps them without translation.
package userpool

// Package srp is the server side of Cognito's SRP-6a variant (3072-bit
// group, SHA-256, Cognito's padHex, HKDF "Caldera Derived Key"), written by
// hand because no library implements Cognito's flavour. The same math
// serves user sign-in (realm = the pool name, the part of the pool id after
// "_"; user = USER_ID_FOR_SRP) and remembered devices (realm = the device
// group key, user = the device key).
package srp

// The browser half of e2e/passkey_browser_test.go: what an app using
// Amplify's associateWebAuthnCredential and USER_AUTH sign-in does, written
// out with fetch so the test sees every call. The conversions between
// base64url and ArrayBuffer follow Amplify's
// @aws-amplify/auth/src/client/utils/passkey/serde.ts.
"use strict";

function bufferFromBase64url(s) {
	const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
	return Uint8Array.from(atob(b64), c => c.charCodeAt(0)).buffer;
}

function base64urlFromBuffer(buf) {
	let bin = "";
	for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
	return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// creationOptions is deserializeJsonToPkcCreationOptions.
function creationOptions(json) {
	return {
		...json,
		challenge: bufferFromBase64url(json.challenge),
		user: { ...json.user, id: bufferFromBase64url(json.user.id) },
		excludeCredentials: (json.excludeCredentials || []).map(c => ({ ...c, id: bufferFromBase64url(c.id) })),
	};
}

// attestationJSON is serializePkcWithAttestationToJson (RegistrationResponseJSON).
function attestationJSON(cred) {
	const r = cred.response;
	const response = {
		clientDataJSON: base64urlFromBuffer(r.clientDataJSON),
		attestationObject: base64urlFromBuffer(r.attestationObject),
		transports: r.getTransports(),
		publicKeyAlgorithm: r.getPublicKeyAlgorithm(),
		authenticatorData: base64urlFromBuffer(r.getAuthenticatorData()),
	};
	const pk = r.getPublicKey();
	if (pk) response.publicKey = base64urlFromBuffer(pk);
	const out = { type: cred.type, id: cred.id, rawId: base64urlFromBuffer(cred.rawId),
		clientExtensionResults: cred.getClientExtensionResults(), response };
	if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
	return out;
}

// requestOptions is deserializeJsonToPkcGetOptions.
function requestOptions(json) {
	return {
		...json,
		challenge: bufferFromBase64url(json.challenge),
		allowCredentials: (json.allowCredentials || []).map(c => ({ ...c, id: bufferFromBase64url(c.id) })),
	};
}

// assertionJSON is serializePkcWithAssertionToJson (AuthenticationResponseJSON).
function assertionJSON(cred) {
	const r = cred.response;
	const response = {
		clientDataJSON: base64urlFromBuffer(r.clientDataJSON),
		authenticatorData: base64urlFromBuffer(r.authenticatorData),
		signature: base64urlFromBuffer(r.signature),
	};
	if (r.userHandle) response.userHandle = base64urlFromBuffer(r.userHandle);
	const out = { id: cred.id, rawId: base64urlFromBuffer(cred.rawId), type: cred.type,
		clientExtensionResults: cred.getClientExtensionResults(), response };
	if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
	return out;
}

// cognito calls one operation of the JSON 1.1 API; a refusal throws
// "<type>: <message>".
async function cognito(endpoint, op, body) {
	const resp = await fetch(endpoint + "/", {
		method: "POST",
		headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + op },
		body: JSON.stringify(body),
	});
	const out = await resp.json();
	if (!resp.ok) {
		const type = (out.__type || "").split("#").pop();
		throw new Error(type + ": " + (out.message || out.Message || ""));
	}
	return out;
}

function show(status) { document.getElementById("status").textContent = status; }

// register adds a passkey for the signed-in user; it returns the
// credential's id (base64url).
async function register(endpoint, accessToken) {
	show("registering");
	const start = await cognito(endpoint, "StartWebAuthnRegistration", { AccessToken: accessToken });
	const cred = await navigator.credentials.create({ publicKey: creationOptions(start.CredentialCreationOptions) });
	await cognito(endpoint, "CompleteWebAuthnRegistration", { AccessToken: accessToken, Credential: attestationJSON(cred) });
	show("registered");
	return cred.id;
}

// beginSignIn starts USER_AUTH with the passkey as the first factor: the
// WEB_AUTHN challenge's Session and request options.
async function beginSignIn(endpoint, clientId, username) {
	show("signing in");
	const init = await cognito(endpoint, "InitiateAuth", { AuthFlow: "USER_AUTH", ClientId: clientId,
		AuthParameters: { USERNAME: username, PREFERRED_CHALLENGE: "WEB_AUTHN" } });
	if (init.ChallengeName !== "WEB_AUTHN") throw new Error("challenge " + init.ChallengeName + ", not WEB_AUTHN");
	return { endpoint, clientId, username, session: init.Session, options: init.ChallengeParameters.CREDENTIAL_REQUEST_OPTIONS };
}

// finishSignIn asks the authenticator to sign beginSignIn's challenge and
// answers it; it shows the tokens.
async function finishSignIn(pending) {
	const p = typeof pending === "string" ? JSON.parse(pending) : pending;
	const cred = await navigator.credentials.get({ publicKey: requestOptions(JSON.parse(p.options)) });
	const out = await cognito(p.endpoint, "RespondToAuthChallenge", { ChallengeName: "WEB_AUTHN", ClientId: p.clientId,
		Session: p.session, ChallengeResponses: { USERNAME: p.username, CREDENTIAL: JSON.stringify(assertionJSON(cred)) } });
	if (!out.AuthenticationResult) throw new Error("no tokens: challenge " + out.ChallengeName);
	document.getElementById("tokens").textContent = JSON.stringify(out.AuthenticationResult, null, 1);
	show("signed in");
	return out.AuthenticationResult;
}

// signIn is the whole passkey sign-in, as Amplify's signIn with
// preferredChallenge WEB_AUTHN runs it.
async function signIn(endpoint, clientId, username) {
	return finishSignIn(await beginSignIn(endpoint, clientId, username));
}

// selfTest proves the browser and its virtual authenticator without
// Cognate: a create and a get against a challenge made here, the shapes
// through the same conversions.
async function selfTest() {
	const random = n => base64urlFromBuffer(crypto.getRandomValues(new Uint8Array(n)));
	const created = await navigator.credentials.create({ publicKey: creationOptions({
		challenge: random(32), rp: { id: location.hostname, name: "self test" },
		user: { id: random(16), name: "self", displayName: "self" },
		pubKeyCredParams: [{ type: "public-key", alg: -7 }, { type: "public-key", alg: -257 }],
		authenticatorSelection: { residentKey: "required", userVerification: "required" },
	}) });
	const reg = attestationJSON(created);
	const got = await navigator.credentials.get({ publicKey: requestOptions({
		challenge: random(32), rpId: location.hostname, userVerification: "required",
		allowCredentials: [{ type: "public-key", id: reg.id }],
	}) });
	const auth = assertionJSON(got);
	return { created: reg.id, asserted: auth.id, clientDataType: JSON.parse(new TextDecoder().decode(bufferFromBase64url(auth.response.clientDataJSON))).type };
}

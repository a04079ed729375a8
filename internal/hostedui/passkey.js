// The hosted UI's passkey page: hands the challenge's request options to
// navigator.credentials.get and posts the signed answer in the form. The
// conversions between base64url and ArrayBuffer are Amplify's
// (@aws-amplify/auth client/utils/passkey/serde.ts).
(function () {
	"use strict";
	const form = document.getElementById("passkey-form");
	const failure = document.getElementById("passkey-error");

	function bufferFromBase64url(s) {
		const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
		return Uint8Array.from(atob(b64), c => c.charCodeAt(0)).buffer;
	}

	function base64urlFromBuffer(buf) {
		let bin = "";
		for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
		return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	}

	function requestOptions(json) {
		return {
			...json,
			challenge: bufferFromBase64url(json.challenge),
			allowCredentials: (json.allowCredentials || []).map(c => ({ ...c, id: bufferFromBase64url(c.id) })),
		};
	}

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

	async function signIn() {
		failure.hidden = true;
		if (!window.PublicKeyCredential) {
			failure.textContent = "This browser cannot use passkeys. Sign in with your password.";
			failure.hidden = false;
			return;
		}
		try {
			const options = JSON.parse(document.getElementById("options").value);
			const cred = await navigator.credentials.get({ publicKey: requestOptions(options) });
			document.getElementById("credential").value = JSON.stringify(assertionJSON(cred));
			form.submit();
		} catch (e) {
			// NotAllowedError: cancelled, timed out, or no passkey of this site.
			failure.textContent = "Your passkey was not used. Try again, or sign in with your password.";
			failure.hidden = false;
		}
	}

	document.getElementById("usepasskey").addEventListener("click", signIn);
	signIn();
})();

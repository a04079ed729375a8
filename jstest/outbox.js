// Cognate's outbox, read the way an operator would: a SigV4-signed
// CognateService.ListOutboxMessages call with the admin credentials of the
// environment (COGNATE_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

// Node's own fetch, taken before a test wraps it to watch its client's
// calls: reading the outbox is not one of them.
const nodeFetch = globalThis.fetch;

const sha256 = class {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
};
const signer = new SignatureV4({
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  region: 'us-east-1', service: 'cognito-idp', sha256,
});

// The messages the outbox holds for a user of the pool, oldest first.
export async function outbox(userPoolId, username) {
  const url = process.env.COGNATE_URL;
  const { hostname, port, protocol } = new URL(url);
  const body = JSON.stringify({ UserPoolId: userPoolId, Username: username });
  const req = await signer.sign({
    method: 'POST', protocol, hostname, port: Number(port), path: '/', body,
    headers: { host: `${hostname}:${port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CognateService.ListOutboxMessages' },
  });
  const res = await nodeFetch(url + '/', { method: 'POST', headers: req.headers, body });
  const out = await res.json();
  assert.equal(res.status, 200, JSON.stringify(out));
  return out.Messages;
}

// The newest code sent to the user for purpose (e.g. "signup",
// "verify:email").
export async function lastCode(userPoolId, username, purpose) {
  const messages = await outbox(userPoolId, username);
  const sent = messages.filter((m) => m.Purpose === purpose);
  assert.ok(sent.length > 0, `no ${purpose} message for ${username}: ${JSON.stringify(messages)}`);
  return sent[sent.length - 1].Code;
}

// What the Amplify JS v6 tests of CUSTOM_AUTH (amplify_customauth.test.js)
// and USER_AUTH (amplify_user_auth.test.js) share: an admin client of the
// AWS SDK v3, Amplify configured for Node with its tokens in a Map, a record
// of the operations Amplify calls and the events it dispatches, and the
// outbox (outbox.js). The e2e tests that run these files set COGNATE_URL and
// the admin credentials.
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { Hub } from 'aws-amplify/utils';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export { outbox, lastCode } from './outbox.js';

export const url = process.env.COGNATE_URL;
export const password = 'Correct-Horse-9';
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
export const admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: url, credentials, maxAttempts: 1 });

// Amplify in Node keeps its tokens here rather than in localStorage.
const tokens = new Map();
const keyValueStorage = {
  setItem: async (k, v) => { tokens.set(k, v); },
  getItem: async (k) => tokens.get(k) ?? null,
  removeItem: async (k) => { tokens.delete(k); },
  clear: async () => { tokens.clear(); },
};
globalThis.navigator ??= { userAgent: 'node' };

// Amplify on the pool and client, speaking to Cognate.
export function configureAmplify(userPoolId, userPoolClientId) {
  Amplify.configure({
    Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: url, signUpVerificationMethod: 'code', loginWith: { username: true } } },
  });
  // configure() puts the default storage back.
  cognitoUserPoolsTokenProvider.setKeyValueStorage(keyValueStorage);
}

// Amplify speaks through fetch (the AWS SDK does not): each operation it
// calls is kept with its request and answer, and each auth event it
// dispatches.
const dispatched = [];
Hub.listen('auth', ({ payload }) => dispatched.push(payload.event));
const exchanges = [];
const nodeFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const op = new Headers(init?.headers).get('x-amz-target')?.replace('AWSCognitoIdentityProviderService.', '');
  const res = await nodeFetch(input, init);
  if (op) {
    const text = await res.clone().text();
    let answer = text;
    try { answer = JSON.parse(text); } catch { /* kept as text, for the failure's message */ }
    exchanges.push({ op, request: JSON.parse(init.body), status: res.status, answer });
  }
  return res;
};

// The exchanges since the last observe() or forgetExchanges(), for a
// failure's message.
export const recentExchanges = () => JSON.stringify(exchanges, null, 1);
export const forgetExchanges = () => { exchanges.length = 0; };

// What fn made Amplify do: its result, the operations it called in order,
// the exchanges themselves and the events it dispatched.
export async function observe(fn) {
  forgetExchanges();
  dispatched.length = 0;
  const result = await fn();
  return { result, calls: exchanges.map((e) => e.op), exchanges: [...exchanges], events: [...dispatched] };
}

// What fn, which must fail, made Amplify do: the error it threw, and the
// rest as observe() tells it.
export async function observeFailure(fn) {
  let error;
  const seen = await observe(async () => {
    try {
      await fn();
    } catch (err) {
      error = err;
    }
  });
  assert.ok(error, `no error; Amplify's exchanges: ${JSON.stringify(seen.exchanges)}`);
  return { ...seen, error };
}

// The ID token's claims Cognito puts in every ID token of a user pool,
// checked for the user, pool and client.
export function assertIdTokenOf(idToken, { userPoolId, clientId, username, sub }) {
  const claims = idToken.payload;
  assert.equal(claims.token_use, 'id');
  assert.equal(claims.iss, `${url}/${userPoolId}`);
  assert.equal(claims.aud, clientId);
  assert.equal(claims['cognito:username'], username);
  assert.equal(claims.sub, sub);
  assert.ok(Number.isInteger(claims.auth_time) && claims.iat >= claims.auth_time && claims.exp > claims.iat, JSON.stringify(claims));
}

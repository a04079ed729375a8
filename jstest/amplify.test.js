// Cognate through AWS Amplify JS v6 (aws-amplify, pinned in package.json):
// sign-up with the outbox's code, SRP sign-in, forced refreshes on a rotating
// and a non-rotating client, attribute updates, global sign-out and an admin
// sign-out seen by Amplify. Since 6.15.4 Amplify refreshes only through
// GetTokensFromRefreshToken. e2e/amplify_test.go starts a real
// `cognate serve` and runs this file with COGNATE_URL and admin credentials
// in the environment.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import {
  signUp, confirmSignUp, signIn, signOut, fetchAuthSession, getCurrentUser,
  updateUserAttributes, fetchUserAttributes, confirmUserAttribute,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { Hub } from 'aws-amplify/utils';
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand,
  AdminUserGlobalSignOutCommand, GetTokensFromRefreshTokenCommand, GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { lastCode as outboxCode } from './outbox.js';

const url = process.env.COGNATE_URL;
const password = 'Correct-Horse-9';
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
const admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: url, credentials, maxAttempts: 1 });

// Amplify in Node: tokens live in this map, so that the tests can read the
// refresh token Amplify saved (keys end in ".refreshToken").
const storage = new Map();
const keyValueStorage = {
  setItem: async (k, v) => { storage.set(k, v); },
  getItem: async (k) => storage.get(k) ?? null,
  removeItem: async (k) => { storage.delete(k); },
  clear: async () => { storage.clear(); },
};
globalThis.navigator ??= { userAgent: 'node' };

// Every auth event Amplify dispatches, and every operation it calls (it
// speaks through fetch; the AWS SDK does not), in order.
const events = [];
Hub.listen('auth', ({ payload }) => events.push(payload));
const calls = [];
const nodeFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  calls.push(new Headers(init?.headers).get('x-amz-target')?.replace('AWSCognitoIdentityProviderService.', ''));
  return nodeFetch(input, init);
};
// What fn made Amplify call and dispatch.
async function observe(fn) {
  calls.length = 0;
  events.length = 0;
  const result = await fn();
  return { result, calls: [...calls], events: events.map((e) => e.event) };
}

let poolId, rotating, plain;

before(async () => {
  assert.ok(url, 'COGNATE_URL must be set (run through e2e/amplify_test.go)');
  const pool = await admin.send(new CreateUserPoolCommand({ PoolName: 'amplify', AutoVerifiedAttributes: ['email'] }));
  poolId = pool.UserPool.Id;
  const client = async (name, extra) => (await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: name, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...extra,
  }))).UserPoolClient.ClientId;
  rotating = await client('rotating', { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } });
  plain = await client('plain', {});
  useClient(plain);
});

function useClient(clientId) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: url,
        signUpVerificationMethod: 'code', loginWith: { username: true },
      },
    },
  });
  // Every configure() resets the token provider's storage to the default.
  cognitoUserPoolsTokenProvider.setKeyValueStorage(keyValueStorage);
}

// The refresh token Amplify saved for the configured client, if any.
function savedRefreshToken() {
  const clientId = Amplify.getConfig().Auth.Cognito.userPoolClientId;
  const keys = [...storage.keys()].filter((k) => k.startsWith(`CognitoIdentityServiceProvider.${clientId}.`) && k.endsWith('.refreshToken'));
  assert.ok(keys.length <= 1, `one refresh token per client: ${keys}`);
  return keys.length ? storage.get(keys[0]) : undefined;
}

// The newest code Cognate's outbox holds for a user of the pool.
const lastCode = (username, purpose) => outboxCode(poolId, username, purpose);

const refreshWithSDK = (clientId, refreshToken) =>
  admin.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }));

const accessToken = async () => (await fetchAuthSession()).tokens?.accessToken?.toString();

// fetchAuthSession({forceRefresh: true}), which must refresh through
// GetTokensFromRefreshToken alone; the new access token.
async function forceRefresh() {
  const { result, calls, events } = await observe(() => fetchAuthSession({ forceRefresh: true }));
  assert.deepEqual(calls, ['GetTokensFromRefreshToken']);
  assert.deepEqual(events, ['tokenRefresh']);
  return result.tokens.accessToken.toString();
}

async function signInAmy() {
  const { result, calls, events } = await observe(() => signIn({ username: 'amy', password }));
  assert.deepEqual(result, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge']);
  assert.deepEqual(events, ['signedIn']);
}

// The tests run in order, on one user: each starts where the one before left
// Amplify.

test('signUp, then confirmSignUp with the code from the outbox', async () => {
  const up = await signUp({ username: 'amy', password, options: { userAttributes: { email: 'amy@example.com' } } });
  assert.equal(up.isSignUpComplete, false);
  assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  assert.equal(up.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  assert.equal(up.nextStep.codeDeliveryDetails.destination, 'a***@e***');
  assert.match(up.userId, /^[0-9a-f-]{36}$/);
  await assert.rejects(confirmSignUp({ username: 'amy', confirmationCode: '000000' }), { name: 'CodeMismatchException' });
  const done = await confirmSignUp({ username: 'amy', confirmationCode: await lastCode('amy', 'signup') });
  assert.equal(done.isSignUpComplete, true);
  assert.equal(done.nextStep.signUpStep, 'DONE');
});

test('SRP sign-in (USER_SRP_AUTH, Amplify\'s default)', async () => {
  await assert.rejects(signIn({ username: 'amy', password: 'Wrong-Pass-1' }),
    { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  await signInAmy();
  const user = await getCurrentUser();
  assert.equal(user.username, 'amy');
  assert.equal(user.signInDetails.authFlowType, 'USER_SRP_AUTH');
  const { tokens } = await fetchAuthSession();
  assert.equal(tokens.accessToken.payload.username, 'amy');
  assert.equal(tokens.accessToken.payload.client_id, plain);
  assert.equal(tokens.idToken.payload.email, 'amy@example.com');
  assert.equal(tokens.idToken.payload.sub, user.userId);
  assert.ok(savedRefreshToken());
});

test('updateUserAttributes and fetchUserAttributes', async () => {
  const res = await updateUserAttributes({ userAttributes: { given_name: 'Amy', email: 'amy2@example.com' } });
  assert.deepEqual(res.given_name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
  assert.equal(res.email.isUpdated, false);
  assert.equal(res.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  assert.equal(res.email.nextStep.codeDeliveryDetails.attributeName, 'email');
  let attrs = await fetchUserAttributes();
  assert.equal(attrs.given_name, 'Amy');
  assert.equal(attrs.email, 'amy2@example.com');
  assert.equal(attrs.email_verified, 'false');
  await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await lastCode('amy', 'verify:email') });
  attrs = await fetchUserAttributes();
  assert.equal(attrs.email_verified, 'true');
});

test('fetchAuthSession({forceRefresh}) on a non-rotating client: new access token, same refresh token', async () => {
  const refreshToken = savedRefreshToken();
  const first = await accessToken();
  const second = await forceRefresh();
  assert.notEqual(second, first);
  const third = await forceRefresh();
  assert.notEqual(third, second);
  assert.equal(savedRefreshToken(), refreshToken);
  // The refreshed ID token carries the attributes as they are now.
  assert.equal((await fetchAuthSession()).tokens.idToken.payload.given_name, 'Amy');
});

test('fetchAuthSession({forceRefresh}) on a rotating client: new tokens, and the old refresh token is refused', async (t) => {
  useClient(rotating);
  t.after(() => useClient(plain));
  await signInAmy();
  const old = savedRefreshToken();
  const first = await accessToken();
  const second = await forceRefresh();
  assert.notEqual(second, first);
  const rotated = savedRefreshToken();
  assert.ok(rotated && rotated !== old);
  await assert.rejects(refreshWithSDK(rotating, old), { name: 'RefreshTokenReuseException' });
  // The rotated token still works for Amplify, and rotates again.
  const third = await forceRefresh();
  assert.notEqual(third, second);
  assert.notEqual(savedRefreshToken(), rotated);
  assert.equal((await getCurrentUser()).username, 'amy');
});

test('signOut({global: true}) revokes the saved refresh token', async () => {
  assert.equal((await getCurrentUser()).username, 'amy');
  const refreshToken = savedRefreshToken();
  const access = await accessToken();
  const { calls, events } = await observe(() => signOut({ global: true }));
  assert.deepEqual(calls, ['GlobalSignOut']);
  assert.deepEqual(events, ['signedOut']);
  assert.equal(savedRefreshToken(), undefined);
  await assert.rejects(getCurrentUser(), { name: 'UserUnAuthenticatedException' });
  assert.equal((await fetchAuthSession()).tokens, undefined);
  await assert.rejects(admin.send(new GetUserCommand({ AccessToken: access })),
    { name: 'NotAuthorizedException', message: 'Access Token has been revoked' });
  await assert.rejects(refreshWithSDK(plain, refreshToken),
    { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
});

test('an admin sign-out: Amplify\'s next forced refresh fails and it reports the user signed out', async () => {
  await signInAmy();
  assert.ok(await accessToken());
  await admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'amy' }));
  // Amplify's refresh gets NotAuthorizedException: it clears the tokens,
  // dispatches tokenRefresh_failure and answers with no tokens, not an error.
  const refreshed = await observe(() => fetchAuthSession({ forceRefresh: true }));
  assert.deepEqual(refreshed.calls, ['GetTokensFromRefreshToken']);
  assert.equal(refreshed.result.tokens, undefined);
  assert.deepEqual(refreshed.events, ['tokenRefresh_failure']);
  assert.equal(events[0].data.error.name, 'NotAuthorizedException');
  await assert.rejects(getCurrentUser(), { name: 'UserUnAuthenticatedException' });
  assert.equal(savedRefreshToken(), undefined);
});

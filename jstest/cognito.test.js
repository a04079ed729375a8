// Cognate through the JavaScript clients: amazon-cognito-identity-js (SRP),
// aws-jwt-verify and @aws-sdk/client-cognito-identity-provider (admin calls).
// e2e/js_test.go starts a real `cognate serve` and runs this file with
// COGNATE_URL and admin credentials in the environment.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand,
  AdminCreateUserCommand, AdminSetUserPasswordCommand, AdminGetUserCommand, AdminUserGlobalSignOutCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';
import { CognitoJwtVerifier } from 'aws-jwt-verify';

const url = process.env.COGNATE_URL;
const password = 'Correct-Horse-9';
const admin = new CognitoIdentityProviderClient({
  region: 'us-east-1',
  endpoint: url,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});

let poolId, clientId, userPool;

before(async () => {
  assert.ok(url, 'COGNATE_URL must be set (run through e2e/js_test.go)');
  const pool = await admin.send(new CreateUserPoolCommand({ PoolName: 'js' }));
  poolId = pool.UserPool.Id;
  const client = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  clientId = client.UserPoolClient.ClientId;
  for (const name of ['alice', 'bob', 'carol']) {
    await admin.send(new AdminCreateUserCommand({
      UserPoolId: poolId, Username: name, MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: `${name}@example.com` }, { Name: 'email_verified', Value: 'true' }],
    }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: name, Password: password, Permanent: true }));
  }
  userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: url + '/' });
});

function signIn(username, pw) {
  const user = new CognitoUser({ Username: username, Pool: userPool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: pw }), {
      onSuccess: (session) => resolve({ user, session }),
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
    });
  });
}

const refresh = (user, session) => new Promise((resolve, reject) =>
  user.refreshSession(session.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s))));

const globalSignOut = (user) => new Promise((resolve, reject) =>
  user.globalSignOut({ onSuccess: resolve, onFailure: reject }));

const getUserAttributes = (user) => new Promise((resolve, reject) =>
  user.getUserAttributes((err, attrs) => (err ? reject(err) : resolve(attrs))));

test('SRP sign-in with amazon-cognito-identity-js', async () => {
  const { user, session } = await signIn('alice', password);
  assert.ok(session.isValid());
  assert.equal(session.getIdToken().payload['cognito:username'], 'alice');
  assert.equal(session.getAccessToken().payload.token_use, 'access');
  const attrs = await getUserAttributes(user);
  assert.equal(attrs.find((a) => a.getName() === 'email').getValue(), 'alice@example.com');
});

test('a wrong password is refused with Cognito\'s message', async () => {
  await assert.rejects(signIn('alice', 'Wrong-Pass-1'), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
});

test('refreshSession keeps the family and returns new tokens', async () => {
  const { user, session } = await signIn('alice', password);
  const fresh = await refresh(user, session);
  assert.notEqual(fresh.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  assert.equal(fresh.getAccessToken().payload.origin_jti, session.getAccessToken().payload.origin_jti);
  assert.equal(fresh.getRefreshToken().getToken(), session.getRefreshToken().getToken());
});

test('globalSignOut revokes the refresh token', async () => {
  const { user, session } = await signIn('bob', password);
  await globalSignOut(user);
  await assert.rejects(refresh(user, session), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.message, 'Refresh Token has been revoked');
    return true;
  });
});

test('an admin sign-out ends a JS client\'s session', async () => {
  const { user, session } = await signIn('carol', password);
  await admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'carol' }));
  await assert.rejects(refresh(user, session), /Refresh Token has been revoked/);
  await assert.rejects(getUserAttributes(user), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.message, 'Access Token has been revoked');
    return true;
  });
});

test('aws-jwt-verify accepts the ID and access tokens, even after sign-out', async () => {
  const { session } = await signIn('alice', password);
  const jwks = await (await fetch(`${url}/${poolId}/.well-known/jwks.json`)).json();
  const accessVerifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'access', clientId });
  const idVerifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'id', clientId });
  accessVerifier.cacheJwks(jwks);
  idVerifier.cacheJwks(jwks);
  const access = await accessVerifier.verify(session.getAccessToken().getJwtToken());
  assert.equal(access.username, 'alice');
  const id = await idVerifier.verify(session.getIdToken().getJwtToken());
  assert.equal(id.email, 'alice@example.com');
  assert.equal(id.email_verified, true);
  await assert.rejects(accessVerifier.verify(session.getIdToken().getJwtToken()), /Token use not allowed: id/);
  // Stateless verification does not consult the server: after a global
  // sign-out the JWT still verifies until it expires, as with Cognito.
  await admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'alice' }));
  await accessVerifier.verify(session.getAccessToken().getJwtToken());
});

test('admin calls through the AWS SDK for JavaScript v3', async () => {
  const got = await admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'alice' }));
  assert.equal(got.UserStatus, 'CONFIRMED');
  assert.ok(got.UserCreateDate instanceof Date);
  const list = await admin.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username ^= "b"' }));
  assert.deepEqual(list.Users.map((u) => u.Username), ['bob']);
  await assert.rejects(admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'nobody' })), (err) => {
    assert.equal(err.name, 'UserNotFoundException');
    assert.equal(err.message, 'User does not exist.');
    return true;
  });
});

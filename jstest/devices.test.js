// Remembered devices through amazon-cognito-identity-js: a first sign-in
// registers and confirms the device (NewDeviceMetadata → ConfirmDevice), the
// next sign-in proves the device with DEVICE_SRP_AUTH and
// DEVICE_PASSWORD_VERIFIER, and a global sign-out keeps the device.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand, AdminCreateUserCommand,
  AdminSetUserPasswordCommand, AdminListDevicesCommand, AdminUserGlobalSignOutCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';

const url = process.env.COGNATE_URL;
const password = 'Correct-Horse-9';
const admin = new CognitoIdentityProviderClient({
  region: 'us-east-1', endpoint: url, maxAttempts: 1,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});
let poolId, userPool;

before(async () => {
  assert.ok(url, 'COGNATE_URL must be set (run through e2e/js_test.go)');
  const pool = await admin.send(new CreateUserPoolCommand({
    PoolName: 'devices',
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false },
  }));
  poolId = pool.UserPool.Id;
  const client = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'dora', MessageAction: 'SUPPRESS' }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'dora', Password: password, Permanent: true }));
  userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: client.UserPoolClient.ClientId, endpoint: url + '/' });
});

function signIn() {
  const user = new CognitoUser({ Username: 'dora', Pool: userPool });
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: 'dora', Password: password }), {
      onSuccess: (session, userConfirmationNecessary) => resolve({ user, session, userConfirmationNecessary }),
      onFailure: reject,
    });
  });
}

const call = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

test('a remembered device signs in with DEVICE_SRP_AUTH', async () => {
  const first = await signIn();
  const deviceKey = first.session.getAccessToken().payload.device_key;
  assert.match(deviceKey, /^us-east-1_[0-9a-f-]{36}$/);
  assert.equal(first.userConfirmationNecessary, undefined);

  const second = await signIn(); // uses the device key and password cached by the first sign-in
  assert.equal(second.session.getAccessToken().payload.device_key, deviceKey);

  const listed = await call((cb) => second.user.listDevices(10, null, { onSuccess: (d) => cb(null, d), onFailure: cb }));
  assert.equal(listed.Devices.length, 1);
  assert.equal(listed.Devices[0].DeviceKey, deviceKey);
  const got = await call((cb) => second.user.getDevice({ onSuccess: (d) => cb(null, d), onFailure: cb }));
  const status = got.Device.DeviceAttributes.find((a) => a.Name === 'dev:device_remembered_status');
  assert.equal(status.Value, 'remembered');

  // The refresh carries DEVICE_KEY; it works.
  await call((cb) => second.user.refreshSession(second.session.getRefreshToken(), cb));

  // Global sign-out ends the tokens but keeps the device, as in Cognito.
  await admin.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'dora' }));
  await assert.rejects(call((cb) => second.user.refreshSession(second.session.getRefreshToken(), cb)), /Refresh Token has been revoked/);
  const devices = await admin.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'dora' }));
  assert.equal(devices.Devices.length, 1);
  const third = await signIn();
  assert.equal(third.session.getAccessToken().payload.device_key, deviceKey);
});

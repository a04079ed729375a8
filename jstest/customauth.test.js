// CUSTOM_AUTH through amazon-cognito-identity-js against a pool whose
// Define/Create/Verify functions are e2e/testdata/lambdas/customauth (the
// quiz: "2+2?"): the library's initiateAuth (custom challenges only) and
// its authenticateUser with authenticationFlowType CUSTOM_AUTH, which sends
// SRP_A first (CHALLENGE_NAME=SRP_A) and so answers PASSWORD_VERIFIER
// before the question.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolClientCommand, AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoUserPool, CognitoUser, AuthenticationDetails } from 'amazon-cognito-identity-js';

const url = process.env.COGNATE_URL;
const arn = process.env.COGNATE_CUSTOM_AUTH_ARN;
const password = 'Correct-Horse-9';
const admin = new CognitoIdentityProviderClient({
  region: 'us-east-1', endpoint: url, maxAttempts: 1,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});
let userPool;

before(async () => {
  assert.ok(url && arn, 'COGNATE_URL and COGNATE_CUSTOM_AUTH_ARN must be set (run through e2e/custom_auth_test.go)');
  const pool = await admin.send(new CreateUserPoolCommand({
    PoolName: 'customauth',
    LambdaConfig: { DefineAuthChallenge: arn, CreateAuthChallenge: arn, VerifyAuthChallengeResponse: arn },
  }));
  const poolId = pool.UserPool.Id;
  const client = await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }));
  await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'quinn', MessageAction: 'SUPPRESS' }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'quinn', Password: password, Permanent: true }));
  userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: client.UserPoolClient.ClientId, endpoint: url + '/' });
});

// signIn starts with start(user, callbacks) and answers the questions in
// turn; it resolves with the session, or rejects with the error.
function signIn(start, answers) {
  const user = new CognitoUser({ Username: 'quinn', Pool: userPool });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  const questions = [];
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (session) => resolve({ session, questions }),
      onFailure: reject,
      customChallenge: (params) => {
        questions.push(params.question);
        user.sendCustomChallengeAnswer(answers.shift(), callbacks);
      },
    };
    start(user, callbacks);
  });
}

test('initiateAuth: a wrong answer, then the right one', async () => {
  const { session, questions } = await signIn(
    (user, cb) => user.initiateAuth(new AuthenticationDetails({ Username: 'quinn' }), cb), ['5', '4']);
  assert.deepEqual(questions, ['2+2?', '2+2?']);
  assert.equal(session.getIdToken().payload['cognito:username'], 'quinn');
});

test('initiateAuth: three wrong answers fail', async () => {
  await assert.rejects(signIn(
    (user, cb) => user.initiateAuth(new AuthenticationDetails({ Username: 'quinn' }), cb), ['1', '2', '3']),
  { code: 'NotAuthorizedException', message: 'Incorrect username or password.' });
});

test('authenticateUser with CUSTOM_AUTH: the password by SRP, then the question', async () => {
  const { session, questions } = await signIn(
    (user, cb) => user.authenticateUser(new AuthenticationDetails({ Username: 'quinn', Password: password }), cb), ['4']);
  assert.deepEqual(questions, ['2+2?']);
  assert.ok(session.isValid());
});

test('authenticateUser with CUSTOM_AUTH and a wrong password fails', async () => {
  await assert.rejects(signIn(
    (user, cb) => user.authenticateUser(new AuthenticationDetails({ Username: 'quinn', Password: 'Wrong-Horse-9' }), cb), ['4']),
  { code: 'NotAuthorizedException' });
});

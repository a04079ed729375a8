// CUSTOM_AUTH through AWS Amplify JS v6 against a pool whose
// Define/Create/Verify functions are e2e/testdata/lambdas/customauth under
// the real Lambda RIE (the quiz "2+2?": tokens after a right answer,
// failure after three wrong ones, the password first after SRP_A).
// Amplify's CUSTOM_WITH_SRP sends CUSTOM_AUTH with SRP_A and
// CHALLENGE_NAME=SRP_A and answers PASSWORD_VERIFIER itself inside signIn;
// CUSTOM_WITHOUT_SRP sends the username alone. Both then leave the question
// to confirmSignIn({challengeResponse}). Run by e2e/amplify_custom_auth_test.go
// with COGNATE_CUSTOM_AUTH_ARN naming the function.
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, confirmSignIn, signOut, fetchAuthSession, getCurrentUser } from 'aws-amplify/auth';
import {
  CreateUserPoolCommand, CreateUserPoolClientCommand, AdminCreateUserCommand, AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { url, password, admin, configureAmplify, observe, observeFailure, assertIdTokenOf } from './amplify_harness.js';

const arn = process.env.COGNATE_CUSTOM_AUTH_ARN;
let poolId, clientId, sub;

before(async () => {
  assert.ok(url && arn, 'COGNATE_URL and COGNATE_CUSTOM_AUTH_ARN must be set (run through e2e/amplify_custom_auth_test.go)');
  const pool = await admin.send(new CreateUserPoolCommand({
    PoolName: 'amplify-customauth',
    LambdaConfig: { DefineAuthChallenge: arn, CreateAuthChallenge: arn, VerifyAuthChallengeResponse: arn },
  }));
  poolId = pool.UserPool.Id;
  clientId = (await admin.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  }))).UserPoolClient.ClientId;
  const created = await admin.send(new AdminCreateUserCommand({
    UserPoolId: poolId, Username: 'quinn', MessageAction: 'SUPPRESS',
    UserAttributes: [{ Name: 'email', Value: 'quinn@example.com' }, { Name: 'email_verified', Value: 'true' }],
  }));
  sub = created.User.Attributes.find((a) => a.Name === 'sub').Value;
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'quinn', Password: password, Permanent: true }));
  configureAmplify(poolId, clientId);
});

// Each test signs in from scratch (Amplify refuses signIn while a user is
// signed in).
afterEach(() => signOut());

// The step Amplify answers for the quiz's question.
const question = { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', additionalInfo: { question: '2+2?', USERNAME: 'quinn' } } };

// confirmSignIn with a wrong answer: the question again, nobody signed in;
// then the right one: signed in, with the tokens of quinn on the client.
async function wrongThenRight(authFlowType) {
  const wrong = await observe(() => confirmSignIn({ challengeResponse: '5' }));
  assert.deepEqual(wrong.result, question);
  assert.deepEqual(wrong.calls, ['RespondToAuthChallenge']);
  assert.deepEqual(wrong.exchanges[0].request.ChallengeResponses, { USERNAME: 'quinn', ANSWER: '5' });
  assert.deepEqual(wrong.events, []);
  const right = await observe(() => confirmSignIn({ challengeResponse: '4' }));
  assert.deepEqual(right.result, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.deepEqual(right.calls, ['RespondToAuthChallenge']);
  assert.deepEqual(right.events, ['signedIn']);

  const user = await getCurrentUser();
  assert.deepEqual(user, { username: 'quinn', userId: sub, signInDetails: { loginId: 'quinn', authFlowType } });
  const { tokens } = await fetchAuthSession();
  assertIdTokenOf(tokens.idToken, { userPoolId: poolId, clientId, username: 'quinn', sub });
  assert.equal(tokens.idToken.payload.email, 'quinn@example.com');
  assert.equal(tokens.idToken.payload.email_verified, true);
  assert.equal(tokens.accessToken.payload.client_id, clientId);
  assert.equal(tokens.accessToken.payload.username, 'quinn');
}

test('CUSTOM_WITH_SRP: the password by SRP inside signIn, then a wrong answer and the right one', async () => {
  const start = await observe(() => signIn({ username: 'quinn', password, options: { authFlowType: 'CUSTOM_WITH_SRP' } }));
  assert.deepEqual(start.result, question);
  assert.deepEqual(start.calls, ['InitiateAuth', 'RespondToAuthChallenge']);
  const [initiate, verifier] = start.exchanges;
  assert.equal(initiate.request.AuthFlow, 'CUSTOM_AUTH');
  assert.equal(initiate.request.AuthParameters.CHALLENGE_NAME, 'SRP_A');
  assert.equal(initiate.answer.ChallengeName, 'PASSWORD_VERIFIER');
  assert.equal(verifier.request.ChallengeName, 'PASSWORD_VERIFIER');
  assert.equal(verifier.answer.ChallengeName, 'CUSTOM_CHALLENGE');
  await wrongThenRight('CUSTOM_WITH_SRP');
});

test('CUSTOM_WITH_SRP with a wrong password: Amplify throws NotAuthorizedException before any question', async () => {
  const { error, calls } = await observeFailure(() => signIn({ username: 'quinn', password: 'Wrong-Horse-9', options: { authFlowType: 'CUSTOM_WITH_SRP' } }));
  assert.equal(error.name, 'NotAuthorizedException');
  assert.equal(error.message, 'Incorrect username or password.');
  assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge']);
  await assert.rejects(getCurrentUser(), { name: 'UserUnAuthenticatedException' });
});

test('CUSTOM_WITHOUT_SRP: the username alone, then a wrong answer and the right one', async () => {
  const start = await observe(() => signIn({ username: 'quinn', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } }));
  assert.deepEqual(start.result, question);
  assert.deepEqual(start.calls, ['InitiateAuth']);
  assert.equal(start.exchanges[0].request.AuthFlow, 'CUSTOM_AUTH');
  assert.deepEqual(start.exchanges[0].request.AuthParameters, { USERNAME: 'quinn' });
  await wrongThenRight('CUSTOM_WITHOUT_SRP');
});

test('CUSTOM_WITHOUT_SRP: three wrong answers, and confirmSignIn throws NotAuthorizedException', async () => {
  assert.deepEqual(await signIn({ username: 'quinn', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } }), question);
  assert.deepEqual(await confirmSignIn({ challengeResponse: '1' }), question);
  assert.deepEqual(await confirmSignIn({ challengeResponse: '2' }), question);
  const { error, calls, events } = await observeFailure(() => confirmSignIn({ challengeResponse: '3' }));
  assert.equal(error.name, 'NotAuthorizedException');
  assert.equal(error.message, 'Incorrect username or password.');
  assert.deepEqual(calls, ['RespondToAuthChallenge']);
  assert.deepEqual(events, []);
  await assert.rejects(getCurrentUser(), { name: 'UserUnAuthenticatedException' });
  assert.equal((await fetchAuthSession()).tokens, undefined);
});

// USER_AUTH (choice-based sign-in) through AWS Amplify JS v6, written from
// Amplify's source (signInWithUserAuth, handleUserAuthFlow,
// handlePasswordSRP, handleSelectChallenge*, autoSignIn) and Cognito's API
// reference, against a pool whose SignInPolicy allows PASSWORD, EMAIL_OTP
// and SMS_OTP as first factors and a client with ALLOW_USER_AUTH:
// one-time codes by email and SMS (read from Cognate's outbox), the
// password and SRP as preferred challenges, the choice (SELECT_CHALLENGE)
// answered through confirmSignIn, email MFA after a password (and its
// set-up during sign-in), and sign-up followed by autoSignIn() on
// ConfirmSignUp's session. Each test has its own user and signs out after.
// Run by e2e/amplify_user_auth_test.go.
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  signIn, confirmSignIn, signOut, signUp, confirmSignUp, autoSignIn, fetchAuthSession, getCurrentUser,
} from 'aws-amplify/auth';
import {
  CreateUserPoolCommand, CreateUserPoolClientCommand, AdminCreateUserCommand, AdminSetUserPasswordCommand,
  SetUserPoolMfaConfigCommand, AdminSetUserMFAPreferenceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  url, password, admin, configureAmplify, observe, observeFailure, recentExchanges, forgetExchanges, outbox, lastCode, assertIdTokenOf,
} from './amplify_harness.js';

// Amplify's signUp with autoSignIn starts a three-minute timer that it
// never clears (signUpHelpers' handleCodeAutoSignIn): harmless in a
// browser, but in Node it would hold this process three minutes after the
// last test. Timers that long no longer keep the process alive.
//
// Amplify also debounces autoSignIn() for 300 ms, module-wide
// (signUpHelpers' debounce): a second autoSignIn() within 300 ms of the
// previous test's is dropped and its promise never settles. Those window
// timers are kept so that a test ends the window before it signs in
// (endAutoSignInDebounce), as the passing of time would, without waiting.
const setTimeoutOfNode = globalThis.setTimeout;
const debounceWindows = new Map();
globalThis.setTimeout = (fn, ms, ...args) => {
  const timer = setTimeoutOfNode(() => { debounceWindows.delete(timer); fn(...args); }, ms);
  if (ms >= 60_000) timer.unref();
  if (ms === 300) debounceWindows.set(timer, fn);
  return timer;
};
const clearTimeoutOfNode = globalThis.clearTimeout;
globalThis.clearTimeout = (timer) => { debounceWindows.delete(timer); clearTimeoutOfNode(timer); };
function endAutoSignInDebounce() {
  for (const [timer, fn] of debounceWindows) {
    clearTimeoutOfNode(timer);
    debounceWindows.delete(timer);
    fn();
  }
}

// Cases that fail on Cognate today, with what fails: skipped, unless
// COGNATE_RUN_PENDING=1 turns them on.
const pending = {};
const when = (name) => (process.env.COGNATE_RUN_PENDING === '1' ? {} : { skip: pending[name] });
// A failing case tells what Amplify last sent and what Cognate answered.
const userAuthTest = (name, fn) => test(name, when(name), async () => {
  forgetExchanges();
  try {
    await fn();
  } catch (err) {
    err.message += `\nAmplify's last exchanges with Cognate: ${recentExchanges()}`;
    throw err;
  }
});

// The pool and client Amplify is configured on (withClient changes them
// for a test).
let poolId, clientId;

// fn with Amplify on another pool and client, signed out after.
async function withClient(pool, client, fn) {
  const before = [poolId, clientId];
  [poolId, clientId] = [pool, client];
  configureAmplify(poolId, clientId);
  try {
    await fn();
    await signOut();
  } finally {
    [poolId, clientId] = before;
    configureAmplify(poolId, clientId);
  }
}

// A client of the pool that allows USER_AUTH, with extra settings.
const newClient = async (pool, extra) => (await admin.send(new CreateUserPoolClientCommand({
  UserPoolId: pool, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...extra,
}))).UserPoolClient.ClientId;

before(async () => {
  assert.ok(url, 'COGNATE_URL must be set (run through e2e/amplify_user_auth_test.go)');
  const pool = await admin.send(new CreateUserPoolCommand({
    PoolName: 'amplify-userauth',
    AutoVerifiedAttributes: ['email'],
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
  }));
  poolId = pool.UserPool.Id;
  clientId = await newClient(poolId);
  configureAmplify(poolId, clientId);
});

afterEach(() => signOut());

const email = (username) => `${username}@example.com`;
const phone = '+15555550100';

// A confirmed user with a password, a verified email and, with withPhone,
// a verified phone number; its sub.
async function newUser(username, { withPhone = true } = {}) {
  const attrs = [{ Name: 'email', Value: email(username) }, { Name: 'email_verified', Value: 'true' }];
  if (withPhone) attrs.push({ Name: 'phone_number', Value: phone }, { Name: 'phone_number_verified', Value: 'true' });
  const created = await admin.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: attrs }));
  await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
  return created.User.Attributes.find((a) => a.Name === 'sub').Value;
}

// The one message fn made Cognate send the user; fn's result beside it.
async function sendsOne(username, medium, fn) {
  const before = (await outbox(poolId, username)).length;
  const result = await fn();
  const sent = (await outbox(poolId, username)).slice(before);
  assert.equal(sent.length, 1, `one message: ${JSON.stringify(sent)}`);
  assert.equal(sent[0].DeliveryMedium, medium);
  assert.equal(sent[0].Destination, medium === 'EMAIL' ? email(username) : phone);
  assert.match(sent[0].Code, /^\d{6,8}$/);
  return { result, code: sent[0].Code };
}

// A code that is not code: its last digit changed.
const wrong = (code) => code.slice(0, -1) + ((Number(code.at(-1)) + 1) % 10);

const done = { isSignedIn: true, nextStep: { signInStep: 'DONE' } };
const emailCode = (username) => ({
  isSignedIn: false,
  nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: `${username[0]}***@e***` } },
});
const smsCode = {
  isSignedIn: false,
  nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE', codeDeliveryDetails: { deliveryMedium: 'SMS', destination: '+*******0100' } },
};

// Amplify holds the user's tokens from a USER_AUTH sign-in.
async function assertSignedIn(username, sub) {
  assert.deepEqual(await getCurrentUser(), { username, userId: sub, signInDetails: { loginId: username, authFlowType: 'USER_AUTH' } });
  const { tokens } = await fetchAuthSession();
  assertIdTokenOf(tokens.idToken, { userPoolId: poolId, clientId, username, sub });
  assert.equal(tokens.idToken.payload.email, email(username));
  assert.equal(tokens.accessToken.payload.client_id, clientId);
}

// confirmSignIn with code: signed in, by one RespondToAuthChallenge that
// answered challengeName with the code under codeName.
async function confirmCode(challengeName, codeName, code) {
  const { result, calls, exchanges, events } = await observe(() => confirmSignIn({ challengeResponse: code }));
  assert.deepEqual(result, done);
  assert.deepEqual(calls, ['RespondToAuthChallenge']);
  assert.equal(exchanges[0].request.ChallengeName, challengeName);
  assert.equal(exchanges[0].request.ChallengeResponses[codeName], code);
  assert.deepEqual(events, ['signedIn']);
}

const userAuth = (preferredChallenge) => ({ authFlowType: 'USER_AUTH', ...(preferredChallenge && { preferredChallenge }) });

userAuthTest('EMAIL_OTP preferred: the code by email, a wrong code refused, the right one signs in', async () => {
  const sub = await newUser('emma');
  const { result: start, code } = await sendsOne('emma', 'EMAIL', () => observe(() => signIn({ username: 'emma', options: userAuth('EMAIL_OTP') })));
  assert.deepEqual(start.result, emailCode('emma'));
  assert.deepEqual(start.calls, ['InitiateAuth']);
  assert.equal(start.exchanges[0].request.AuthFlow, 'USER_AUTH');
  assert.deepEqual(start.exchanges[0].request.AuthParameters, { USERNAME: 'emma', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
  assert.equal(start.exchanges[0].answer.ChallengeName, 'EMAIL_OTP');
  await assert.rejects(confirmSignIn({ challengeResponse: wrong(code) }), { name: 'CodeMismatchException' });
  await confirmCode('EMAIL_OTP', 'EMAIL_OTP_CODE', code);
  await assertSignedIn('emma', sub);
  // The refresh token of a USER_AUTH sign-in refreshes.
  const access = (await fetchAuthSession()).tokens.accessToken.toString();
  const refreshed = await observe(() => fetchAuthSession({ forceRefresh: true }));
  assert.deepEqual(refreshed.calls, ['GetTokensFromRefreshToken']);
  assert.notEqual(refreshed.result.tokens.accessToken.toString(), access);
  assert.equal(refreshed.result.tokens.idToken.payload.sub, sub);
});

userAuthTest('EMAIL_OTP: three wrong codes spend the session, and the right one is refused', async () => {
  await newUser('wanda');
  const { result, code } = await sendsOne('wanda', 'EMAIL', () => signIn({ username: 'wanda', options: userAuth('EMAIL_OTP') }));
  assert.deepEqual(result, emailCode('wanda'));
  for (let i = 0; i < 3; i++) {
    await assert.rejects(confirmSignIn({ challengeResponse: wrong(code) }), { name: 'CodeMismatchException' });
  }
  await assert.rejects(confirmSignIn({ challengeResponse: code }), { name: 'NotAuthorizedException' });
  await assert.rejects(getCurrentUser(), { name: 'UserUnAuthenticatedException' });
});

userAuthTest('SMS_OTP preferred: the code by SMS signs in', async () => {
  const sub = await newUser('sven');
  const { result: start, code } = await sendsOne('sven', 'SMS', () => observe(() => signIn({ username: 'sven', options: userAuth('SMS_OTP') })));
  assert.deepEqual(start.result, smsCode);
  assert.deepEqual(start.exchanges[0].request.AuthParameters, { USERNAME: 'sven', PREFERRED_CHALLENGE: 'SMS_OTP' });
  await confirmCode('SMS_OTP', 'SMS_OTP_CODE', code);
  await assertSignedIn('sven', sub);
});

userAuthTest('PASSWORD preferred: the password in InitiateAuth signs in at once; a wrong one is refused', async () => {
  const sub = await newUser('paula');
  const failed = await observeFailure(() => signIn({ username: 'paula', password: 'Wrong-Horse-9', options: userAuth('PASSWORD') }));
  assert.equal(failed.error.name, 'NotAuthorizedException');
  assert.equal(failed.error.message, 'Incorrect username or password.');
  const { result, calls, exchanges, events } = await observe(() => signIn({ username: 'paula', password, options: userAuth('PASSWORD') }));
  assert.deepEqual(result, done);
  assert.deepEqual(calls, ['InitiateAuth']);
  assert.deepEqual(exchanges[0].request.AuthParameters, { USERNAME: 'paula', PASSWORD: password, PREFERRED_CHALLENGE: 'PASSWORD' });
  assert.deepEqual(events, ['signedIn']);
  await assertSignedIn('paula', sub);
});

userAuthTest('PASSWORD_SRP preferred: SRP_A in InitiateAuth, PASSWORD_VERIFIER answered inside signIn', async () => {
  const sub = await newUser('sergio');
  const { result, calls, exchanges } = await observe(() => signIn({ username: 'sergio', password, options: userAuth('PASSWORD_SRP') }));
  assert.deepEqual(result, done);
  assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge']);
  assert.equal(exchanges[0].request.AuthParameters.PREFERRED_CHALLENGE, 'PASSWORD_SRP');
  assert.match(exchanges[0].request.AuthParameters.SRP_A, /^[0-9a-f]+$/);
  assert.equal(exchanges[0].answer.ChallengeName, 'PASSWORD_VERIFIER');
  assert.equal(exchanges[1].request.ChallengeName, 'PASSWORD_VERIFIER');
  await assertSignedIn('sergio', sub);
  await signOut();
  await assert.rejects(signIn({ username: 'sergio', password: 'Wrong-Horse-9', options: userAuth('PASSWORD_SRP') }), { name: 'NotAuthorizedException' });
});

// signIn with USER_AUTH and no preferred challenge: Amplify's first-factor
// selection, offering what the pool allows and the user has.
async function firstFactorSelection(username, offered) {
  const { result, calls, exchanges } = await observe(() => signIn({ username, options: userAuth() }));
  assert.deepEqual(calls, ['InitiateAuth']);
  assert.deepEqual(exchanges[0].request.AuthParameters, { USERNAME: username });
  assert.equal(exchanges[0].answer.ChallengeName, 'SELECT_CHALLENGE');
  assert.equal(result.isSignedIn, false);
  assert.equal(result.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  assert.deepEqual([...result.nextStep.availableChallenges].sort(), offered);
}

userAuthTest('SELECT_CHALLENGE: the choice offered, EMAIL_OTP chosen, the code signs in', async () => {
  const sub = await newUser('selma');
  await firstFactorSelection('selma', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
  const { result: chosen, code } = await sendsOne('selma', 'EMAIL', () => observe(() => confirmSignIn({ challengeResponse: 'EMAIL_OTP' })));
  assert.deepEqual(chosen.result, emailCode('selma'));
  assert.deepEqual(chosen.calls, ['RespondToAuthChallenge']);
  assert.equal(chosen.exchanges[0].request.ChallengeName, 'SELECT_CHALLENGE');
  assert.deepEqual(chosen.exchanges[0].request.ChallengeResponses, { USERNAME: 'selma', ANSWER: 'EMAIL_OTP' });
  await confirmCode('EMAIL_OTP', 'EMAIL_OTP_CODE', code);
  await assertSignedIn('selma', sub);
});

userAuthTest('SELECT_CHALLENGE: a user without a phone number is not offered SMS_OTP; SMS_OTP chosen by one who has one', async () => {
  await newUser('nophone', { withPhone: false });
  await firstFactorSelection('nophone', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP']);
  const sub = await newUser('simon');
  await firstFactorSelection('simon', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
  const { result, code } = await sendsOne('simon', 'SMS', () => confirmSignIn({ challengeResponse: 'SMS_OTP' }));
  assert.deepEqual(result, smsCode);
  await confirmCode('SMS_OTP', 'SMS_OTP_CODE', code);
  await assertSignedIn('simon', sub);
});

userAuthTest('SELECT_CHALLENGE: PASSWORD chosen, then the password in the same SELECT_CHALLENGE answer', async () => {
  const sub = await newUser('pascal');
  await firstFactorSelection('pascal', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
  // Amplify asks for the password before it answers Cognito.
  const chosen = await observe(() => confirmSignIn({ challengeResponse: 'PASSWORD' }));
  assert.deepEqual(chosen.result, { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' } });
  assert.deepEqual(chosen.calls, []);
  const { result, calls, exchanges } = await observe(() => confirmSignIn({ challengeResponse: password }));
  assert.deepEqual(result, done);
  assert.deepEqual(calls, ['RespondToAuthChallenge']);
  assert.equal(exchanges[0].request.ChallengeName, 'SELECT_CHALLENGE');
  assert.deepEqual(exchanges[0].request.ChallengeResponses, { ANSWER: 'PASSWORD', USERNAME: 'pascal', PASSWORD: password });
  await assertSignedIn('pascal', sub);
});

userAuthTest('SELECT_CHALLENGE: PASSWORD_SRP chosen, SRP_A in the SELECT_CHALLENGE answer, then PASSWORD_VERIFIER', async () => {
  const sub = await newUser('sandra');
  await firstFactorSelection('sandra', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
  assert.deepEqual((await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' })).nextStep, { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' });
  const { result, calls, exchanges } = await observe(() => confirmSignIn({ challengeResponse: password }));
  assert.deepEqual(result, done);
  assert.deepEqual(calls, ['RespondToAuthChallenge', 'RespondToAuthChallenge']);
  assert.equal(exchanges[0].request.ChallengeResponses.ANSWER, 'PASSWORD_SRP');
  assert.match(exchanges[0].request.ChallengeResponses.SRP_A, /^[0-9a-f]+$/);
  assert.equal(exchanges[0].answer.ChallengeName, 'PASSWORD_VERIFIER');
  assert.equal(exchanges[1].request.ChallengeName, 'PASSWORD_VERIFIER');
  await assertSignedIn('sandra', sub);
});

userAuthTest('PreventUserExistenceErrors: an unknown name is offered what a user with an email is, and its code never works', async () => {
  const hiding = await newClient(poolId, { PreventUserExistenceErrors: 'ENABLED' });
  await newUser('known', { withPhone: false });
  await withClient(poolId, hiding, async () => {
    await firstFactorSelection('known', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP']);
    await firstFactorSelection('ghost', ['EMAIL_OTP', 'PASSWORD', 'PASSWORD_SRP']);
    const start = await signIn({ username: 'ghost', options: userAuth('EMAIL_OTP') });
    assert.equal(start.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    assert.equal(start.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
    assert.match(start.nextStep.codeDeliveryDetails.destination, /^.\*\*\*@.\*\*\*$/);
    const { error } = await observeFailure(() => confirmSignIn({ challengeResponse: '123456' }));
    assert.ok(['CodeMismatchException', 'NotAuthorizedException'].includes(error.name), error.name);
  });
});

userAuthTest('a client without ALLOW_USER_AUTH: Amplify throws InvalidParameterException, as for the other flows a client does not allow', async () => {
  await newUser('norah');
  const srpOnly = await newClient(poolId, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
  await withClient(poolId, srpOnly, async () => {
    const { error, calls } = await observeFailure(() => signIn({ username: 'norah', options: userAuth('EMAIL_OTP') }));
    assert.equal(error.name, 'InvalidParameterException');
    assert.deepEqual(calls, ['InitiateAuth']);
    // The same user signs in by SRP there.
    assert.deepEqual(await signIn({ username: 'norah', password }), done);
  });
});

// A pool with email MFA (optional) whose EmailMfaConfiguration sets the
// message, and a client of it that allows USER_AUTH.
async function emailMfaPool() {
  const pool = (await admin.send(new CreateUserPoolCommand({
    PoolName: 'amplify-userauth-mfa', MfaConfiguration: 'OFF',
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
  }))).UserPool.Id;
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: pool, MfaConfiguration: 'OPTIONAL',
    EmailMfaConfiguration: { Subject: 'Your sign-in code', Message: 'Sign in with {####}.' },
  }));
  return { pool, client: await newClient(pool) };
}

// A user of the pool whose preferred MFA is email; its sub.
async function emailMfaUser(pool, username) {
  const sub = await newUser(username, { withPhone: false });
  await admin.send(new AdminSetUserMFAPreferenceCommand({
    UserPoolId: pool, Username: username, EmailMfaSettings: { Enabled: true, PreferredMfa: true },
  }));
  return sub;
}

userAuthTest('PASSWORD, then email MFA: CONFIRM_SIGN_IN_WITH_EMAIL_CODE, and the code signs in', async () => {
  const { pool, client } = await emailMfaPool();
  await withClient(pool, client, async () => {
    const sub = await emailMfaUser(pool, 'mfaemily');
    const { result: start, code } = await sendsOne('mfaemily', 'EMAIL', () => observe(() => signIn({ username: 'mfaemily', password, options: userAuth('PASSWORD') })));
    assert.deepEqual(start.result, emailCode('mfaemily'));
    assert.deepEqual(start.calls, ['InitiateAuth']);
    assert.equal(start.exchanges[0].answer.ChallengeName, 'EMAIL_OTP');
    await confirmCode('EMAIL_OTP', 'EMAIL_OTP_CODE', code);
    await assertSignedIn('mfaemily', sub);
  });
});

// EmailMfaConfigType.Message: "The template for the email messages that
// your user pool sends to users with codes for MFA and sign-in with email
// OTPs" (botocore).
userAuthTest('EmailMfaConfiguration\'s Message is the email of an MFA code and of an EMAIL_OTP sign-in code', async () => {
  const { pool, client } = await emailMfaPool();
  await withClient(pool, client, async () => {
    await emailMfaUser(pool, 'templated');
    const mfa = await sendsOne('templated', 'EMAIL', () => signIn({ username: 'templated', password, options: userAuth('PASSWORD') }));
    const sent = await outbox(pool, 'templated');
    assert.equal(sent.at(-1).Message, `Sign in with ${mfa.code}.`);
    await confirmSignIn({ challengeResponse: mfa.code });
    await signOut();
    const otp = await sendsOne('templated', 'EMAIL', () => signIn({ username: 'templated', options: userAuth('EMAIL_OTP') }));
    assert.equal((await outbox(pool, 'templated')).at(-1).Message, `Sign in with ${otp.code}.`);
  });
});

userAuthTest('PASSWORD in a pool that requires MFA, for a user with none: Amplify\'s email MFA setup (MFA_SETUP with EMAIL), the code, then signed in', async () => {
  const pool = (await admin.send(new CreateUserPoolCommand({
    PoolName: 'amplify-userauth-mfa-setup', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] } },
  }))).UserPool.Id;
  await admin.send(new SetUserPoolMfaConfigCommand({
    UserPoolId: pool, MfaConfiguration: 'ON', EmailMfaConfiguration: { Message: 'Code: {####}' },
    SoftwareTokenMfaConfiguration: { Enabled: true },
  }));
  await withClient(pool, await newClient(pool), async () => {
    const created = await admin.send(new AdminCreateUserCommand({ UserPoolId: pool, Username: 'nia', MessageAction: 'SUPPRESS' }));
    await admin.send(new AdminSetUserPasswordCommand({ UserPoolId: pool, Username: 'nia', Password: password, Permanent: true }));
    const start = await observe(() => signIn({ username: 'nia', password, options: userAuth('PASSWORD') }));
    assert.equal(start.exchanges[0].answer.ChallengeName, 'MFA_SETUP');
    assert.deepEqual(start.result, { isSignedIn: false, nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION', allowedMFATypes: ['TOTP', 'EMAIL'] } });
    // Amplify answers the choice itself, then sends the address.
    assert.deepEqual(await confirmSignIn({ challengeResponse: 'EMAIL' }), { isSignedIn: false, nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP' } });
    const { result, code } = await sendsOne('nia', 'EMAIL', () => observe(() => confirmSignIn({ challengeResponse: email('nia') })));
    assert.deepEqual(result.result, emailCode('nia'));
    assert.equal(result.exchanges[0].request.ChallengeName, 'MFA_SETUP');
    assert.deepEqual(result.exchanges[0].request.ChallengeResponses, { USERNAME: 'nia', EMAIL: email('nia') });
    await confirmCode('EMAIL_OTP', 'EMAIL_OTP_CODE', code);
    await assertSignedIn('nia', created.User.Attributes.find((a) => a.Name === 'sub').Value);
  });
});

// signUp with autoSignIn through USER_AUTH, confirmSignUp with the code
// from the outbox, then autoSignIn(): Amplify passes ConfirmSignUp's
// Session to InitiateAuth, which signs the user in with no second code.
async function signUpThenAutoSignIn(username, signUpPassword) {
  const up = await signUp({
    username, ...(signUpPassword && { password: signUpPassword }),
    options: { userAttributes: { email: email(username) }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  });
  assert.equal(up.isSignUpComplete, false);
  assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  const confirmationCode = await lastCode(poolId, username, 'signup');
  const confirmed = await observe(() => confirmSignUp({ username, confirmationCode }));
  assert.deepEqual(confirmed.result, { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } });
  const session = confirmed.exchanges[0].answer.Session;
  assert.ok(session, `ConfirmSignUp answers a Session: ${JSON.stringify(confirmed.exchanges[0].answer)}`);

  endAutoSignInDebounce();
  const { result, calls, exchanges, events } = await observe(() => autoSignIn());
  assert.deepEqual(result, done);
  assert.deepEqual(calls, ['InitiateAuth']);
  assert.equal(exchanges[0].request.AuthFlow, 'USER_AUTH');
  assert.deepEqual(exchanges[0].request.AuthParameters, { USERNAME: username });
  assert.equal(exchanges[0].request.Session, session);
  assert.deepEqual(events, ['signedIn']);
  await assertSignedIn(username, up.userId);
}

userAuthTest('signUp with a password and autoSignIn USER_AUTH: confirmSignUp, then autoSignIn() signs in on its session', async () => {
  await signUpThenAutoSignIn('auto', password);
});

userAuthTest('signUp without a password (passwordless) and autoSignIn USER_AUTH: confirmSignUp, then autoSignIn()', async () => {
  await signUpThenAutoSignIn('nopass');
  await signOut();
  // Passwordless: the choice is the email code alone.
  await firstFactorSelection('nopass', ['EMAIL_OTP']);
});

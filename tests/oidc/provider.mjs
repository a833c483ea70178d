// The OpenID Connect provider of the sign-in tests: panva's certified oidc-provider on loopback,
// with the accounts of accounts.json (each with a password and a `groups` claim) and one client.
//
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Prints "ready ISSUER" once it listens. A login form checks the password; the relgraph client is
// first-party, so consent is given without asking, as a company's own identity provider does.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const accounts = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));
const issuer = `http://127.0.0.1:${port}`;
const scopes = ['openid', 'email', 'profile', 'groups'];

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  scopes,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  // The claims go in the ID token, which is what Streamlit (Authlib) reads into st.user.
  conformIdTokenClaims: false,
  jwks: { keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })] },
  cookies: { keys: [clientSecret] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    const { password, ...claims } = account;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(scopes.join(' '));
    await grant.save();
    return grant;
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message) {
  return `<!doctype html><html><head><title>Sign in</title></head><body>
<h1>Sign in to the test identity provider</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Username <input name="login" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function formBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!match) return next();
  const { uid } = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = loginPage(uid);
    return undefined;
  }
  const form = await formBody(ctx.req);
  const login = form.get('login') ?? '';
  if (!Object.hasOwn(accounts, login) || accounts[login].password !== form.get('password')) {
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = loginPage(uid, 'Wrong username or password.');
    return undefined;
  }
  ctx.respond = false;
  return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } },
    { mergeWithLastSubmission: false });
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));

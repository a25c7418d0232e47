// Independent verification of the registry's credentials with Digital Bazaar's
// libraries (the ones the DCC verifier and wallet build on): every proof of every
// credential, eddsa-jcs-2022 and eddsa-rdfc-2022 alike, the Bitstring Status List, and
// an altered copy that must fail. Nothing is fetched: contexts come from certs/contexts,
// the DID document and status lists from files the caller saved from the server.
//
//   node verify.mjs DIR CONTEXTS_DIR
//
// DIR holds did.json, status-revocation.json, status-suspension.json and
// credentials/<name>.json with expected.json mapping each name to the registry's status.
import {readFileSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const [dir, contextsDir] = process.argv.slice(2);
const json = path => JSON.parse(readFileSync(path, 'utf8'));

const documents = new Map([
  ['https://www.w3.org/ns/credentials/v2', 'credentials-v2.jsonld'],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'ob-v3p0-context-3.0.3.json'],
  ['https://www.w3.org/ns/did/v1', 'did-v1.jsonld'],
  ['https://w3id.org/security/multikey/v1', 'multikey-v1.jsonld'],
].map(([url, file]) => [url, json(join(contextsDir, file))]));
const did = json(join(dir, 'did.json'));
documents.set(did.id, did);
for(const method of did.verificationMethod) {
  documents.set(method.id, {'@context': 'https://w3id.org/security/multikey/v1', ...method});
}
for(const purpose of ['revocation', 'suspension']) {
  const list = json(join(dir, `status-${purpose}.json`));
  documents.set(list.id, list);
}

async function documentLoader(url) {
  if(!documents.has(url)) {
    throw new Error(`the local document loader does not know ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(documents.get(url))};
}

const suite = [
  new DataIntegrityProof({cryptosuite: rdfc}),
  new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()}),
];

async function verify(credential) {
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    checkStatus: options => checkStatus({...options, suite, documentLoader}),
  });
  const proofs = (result.results || []).map(r => ({
    cryptosuite: r.proof && r.proof.cryptosuite,
    verified: r.verified,
    error: r.error && (r.error.message || String(r.error)),
  }));
  // `verified` says the status check could be made; `status` is the entry's bit.
  const statusResult = result.statusResult;
  const set = statusResult && statusResult.verified ?
    statusResult.results.filter(r => r.status).map(r => r.credentialStatus.statusPurpose) :
    null;
  return {
    proofs,
    allProofs: proofs.length > 0 && proofs.every(p => p.verified),
    set,
    error: result.error && (result.error.message || JSON.stringify(result.error)),
  };
}

const expected = json(join(dir, 'expected.json'));
let failures = 0;
const fail = message => { failures += 1; console.log(`FAIL ${message}`); };
const names = readdirSync(join(dir, 'credentials')).filter(n => n.endsWith('.json')).sort();
if(names.length === 0) {
  fail('no credentials to verify');
}
for(const name of names) {
  const key = name.replace(/\.json$/, '');
  const credential = json(join(dir, 'credentials', name));
  const proofs = [].concat(credential.proof || []);
  const suites = proofs.map(p => p.cryptosuite).join(' + ');
  const result = await verify(credential);
  const want = expected[key];
  const line = `${key}: ${suites}: ` + result.proofs.map(
    p => `${p.cryptosuite} ${p.verified ? 'valid' : 'INVALID ' + p.error}`).join(', ') +
    `; status ${result.set === null ? 'NOT CHECKED' : (result.set.join(', ') || 'clear')}`;
  console.log(line);
  if(!result.allProofs || result.proofs.length !== proofs.length) {
    fail(`${key}: not every proof verified (${result.error || ''})`);
  }
  const wantSet = {revoked: 'revocation', suspended: 'suspension'}[want] || '';
  if(result.set === null || result.set.join(',') !== wantSet) {
    fail(`${key}: the registry says ${want}, the status lists say ${result.set}`);
  }
  // An altered copy fails every proof; a broken proof beside a valid one is seen.
  const altered = structuredClone(credential);
  altered.credentialSubject.achievement.name += '（改）';
  const alteredResult = await verify(altered);
  if(alteredResult.proofs.some(p => p.verified)) {
    fail(`${key}: an altered copy still verified`);
  }
  if(proofs.length === 2) {
    const broken = structuredClone(credential);
    broken.proof[1].proofValue = credential.proof[0].proofValue;
    const brokenResult = await verify(broken);
    const states = brokenResult.proofs.map(p => p.verified);
    if(!(states[0] === true && states[1] === false)) {
      fail(`${key}: a broken rdfc proof beside a valid jcs proof was not told apart`);
    }
  }
}
// The status lists themselves.
for(const purpose of ['revocation', 'suspension']) {
  const list = json(join(dir, `status-${purpose}.json`));
  const result = await vc.verifyCredential({credential: list, suite, documentLoader});
  const suites = (result.results || []).map(r => `${r.proof.cryptosuite} ${r.verified ? 'valid' : 'INVALID'}`);
  console.log(`status list ${purpose}: ${suites.join(', ')}`);
  if(!(result.results || []).length || !result.results.every(r => r.verified)) {
    fail(`status list ${purpose} does not verify`);
  }
}
console.log(failures === 0 ? `all ${names.length} credentials verified independently` :
  `${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);

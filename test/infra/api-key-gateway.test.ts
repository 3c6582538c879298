/**
 * With `apiKeySha256` set, API-key callers get an API Gateway in front of the private `api`
 * function (under mocks): the gateway's own account is the only extra invoker, its document
 * forwards every path to the function's URL, and no public member appears anywhere.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { RULES } from '../../infra/policy/rules.js';
import { type MockedProgram, type MockResource, PROJECT, runProgram } from './mock-program.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const INVOKER = 'group:analysts@example.com';
const GATEWAY_ACCOUNT = `serviceAccount:iterable-api-gateway@${PROJECT}.iam.gserviceaccount.com`;

describe('the API-key gateway under mocks', () => {
  let program: MockedProgram;
  const ofType = (suffix: string): MockResource[] => program.resources.filter((r) => r.type.endsWith(suffix));

  before(async () => {
    program = await runProgram({
      'iterable-bigquery-pipeline:apiInvokers': INVOKER,
      'iterable-bigquery-pipeline:apiKeySha256': 'a'.repeat(64),
    });
  });

  it('lets the gateway’s own account invoke the api function, besides the configured members', () => {
    const invokers = ofType('cloudrunv2/serviceIamMember:ServiceIamMember')
      .filter((m) => m.inputs.name === 'iterable-api')
      .map((m) => String(m.inputs.member));
    assert.deepEqual(invokers.sort(), [INVOKER, GATEWAY_ACCOUNT].sort());
  });

  it('forwards every path to the function with the gateway account’s token, and outputs its URL', () => {
    const [config] = ofType('apigateway/apiConfig:ApiConfig');
    assert.ok(config);
    assert.equal(
      obj(obj(config.inputs.gatewayConfig).backendConfig).googleServiceAccount,
      GATEWAY_ACCOUNT.slice(15),
    );
    const [file] = config.inputs.openapiDocuments as { document: { contents: string } }[];
    const document = JSON.parse(Buffer.from(String(file?.document.contents), 'base64').toString()) as Json;
    assert.equal(document.swagger, '2.0');
    assert.equal(document['x-google-allow'], 'all');
    assert.deepEqual(document['x-google-backend'], {
      address: 'https://iterable-api-x7.a.run.app',
      path_translation: 'APPEND_PATH_TO_ADDRESS',
      deadline: 60,
    });
    assert.ok(
      config.dependsOn.some((d) => d.endsWith('-invoker')),
      'the grant exists before traffic flows',
    );
    const [gateway] = ofType('apigateway/gateway:Gateway');
    assert.equal(gateway?.inputs.region, 'europe-west1');
    assert.equal(program.outputs.apiKeyUrl, 'https://iterable-analytics-1a2b3c4d.ew.gateway.dev');
  });

  it('sets the key digests on the function, so every request through the gateway needs a key', () => {
    const fn = ofType('cloudfunctionsv2/function:Function').find(
      (f) => obj(f.inputs.buildConfig).entryPoint === 'api',
    );
    assert.equal(obj(obj(fn?.inputs.serviceConfig).environmentVariables).API_KEY_SHA256, 'a'.repeat(64));
  });

  it('grants nothing to the public and passes every policy rule', () => {
    const own = program.resources.filter((r) => r.name.startsWith('api-keys'));
    assert.ok(own.length >= 8);
    for (const resource of own) {
      assert.doesNotMatch(JSON.stringify(resource.inputs), /allUsers|allAuthenticatedUsers/, resource.name);
      for (const rule of RULES)
        assert.deepEqual(rule.check(resource.type, resource.inputs), [], resource.name);
    }
  });
});

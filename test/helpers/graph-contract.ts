import nock from 'nock';
import { z } from 'zod';
import { graphRequestProblems, recordGraphProblems, takeGraphProblems } from '../fakes/whatsapp-contract';

/**
 * Every WhatsApp API call any test intercepts with nock is checked against Meta's contract
 * (../fakes/whatsapp-contract): the token and, for sends and template creation, the body.
 * A test may script Meta's refusal (a 4xx); a fake that accepts what Meta refuses fails the test.
 * nock has no global request hook, so its scopes' shared `emit` is wrapped: no call site can opt out.
 */
const request = z.object({ method: z.string(), path: z.string(), headers: z.record(z.string(), z.unknown()) });
const answered = z.object({ res: z.object({ statusCode: z.number() }) });
/** Slack's hosts in the suite; everything else nock answers stands for a WhatsApp API. */
const SLACK_HOST = /(^|\.)slack\.(test|com)$/;

const pending = new WeakMap<object, string[]>();
const proto: unknown = Object.getPrototypeOf(nock('https://contract.invalid'));
const emit: unknown = typeof proto === 'object' && proto !== null ? Reflect.get(proto, 'emit') : undefined;
if (typeof proto !== 'object' || proto === null || typeof emit !== 'function') throw new Error('nock scopes no longer emit events; update the Graph contract hook');

Reflect.set(proto, 'emit', function (this: unknown, event: string | symbol, ...args: unknown[]): unknown {
  const [req, , body] = args;
  if (typeof req === 'object' && req !== null) observe(event, req, typeof body === 'string' ? body : '');
  return Reflect.apply(emit, this, [event, ...args]);
});

function observe(event: string | symbol, req: object, body: string): void {
  if (event === 'request') {
    const seen = request.safeParse(req);
    if (!seen.success || SLACK_HOST.test(String(seen.data.headers.host ?? ''))) return;
    pending.set(req, graphRequestProblems({ ...seen.data, body }));
  } else if (event === 'replied') {
    const problems = pending.get(req);
    const status = answered.safeParse(req);
    // Only a success is wrong: Meta answers these with 400/401, which a test may script.
    if (problems && status.success && status.data.res.statusCode < 400) recordGraphProblems(problems);
  }
}

afterEach(() => {
  const problems = takeGraphProblems();
  if (problems.length > 0) throw new Error(`Meta would refuse what this test sent:\n  ${problems.join('\n  ')}`);
});

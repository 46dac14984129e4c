import { ackProblems, messageProblems, slackCallProblems, viewProblems } from '../fakes/block-kit';

/** The strict fake is only worth its strictness: each rule refuses what real Slack refuses. */

const plain = (text: string) => ({ type: 'plain_text', text });
const section = (text: string, extra: object = {}) => ({ type: 'section', text: { type: 'mrkdwn', text }, ...extra });
const modal = (blocks: unknown[], extra: object = {}) => ({ type: 'modal', title: plain('Connect'), submit: plain('Save'), blocks, ...extra });
const radio = (options: object[], initial?: object) => ({
  type: 'input',
  block_id: 'kind',
  label: plain('Kind'),
  element: { type: 'radio_buttons', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) },
});
const option = (text: string, value: string, description?: string) => ({ text: plain(text), value, ...(description ? { description: plain(description) } : {}) });

describe('the strict Block Kit check', () => {
  it('accepts a well-formed message and modal', () => {
    expect(messageProblems({ text: 'hi', blocks: [section('hi'), { type: 'divider' }] })).toEqual([]);
    const kinds = [option('Cloud API', 'cloud', 'x'.repeat(75)), option('BSP', 'bsp')];
    expect(viewProblems(modal([radio(kinds, kinds[0])]))).toEqual([]);
  });

  it.each([
    ['an option description over 75 characters', modal([radio([option('BSP', 'bsp', 'x'.repeat(76))])]), /description\.text/],
    ['a modal title over 24 characters', modal([section('x')], { title: plain('x'.repeat(25)) }), /title\.text/],
    ['a modal with inputs and no submit', { type: 'modal', title: plain('x'), blocks: [radio([option('a', 'a')])] }, /submit: required/],
    ['an initial option not among the options', modal([radio([option('a', 'a')], option('b', 'b'))]), /initial_option is not one of the options/],
    ['a duplicate block_id', modal([section('a', { block_id: 'x' }), section('b', { block_id: 'x' })]), /duplicate block_id/],
    ['101 blocks in a modal', modal(Array.from({ length: 101 }, () => ({ type: 'divider' }))), /blocks/],
    ['private_metadata over 3,000 characters', modal([section('a')], { private_metadata: 'x'.repeat(3001) }), /private_metadata/],
    ['a button inside an input block', modal([{ type: 'input', label: plain('x'), element: { type: 'button', text: plain('x') } }]), /element/],
    ['mrkdwn in a header', modal([{ type: 'header', text: { type: 'mrkdwn', text: '*x*' } }]), /blocks\.0/],
    ['an unknown field', modal([section('a', { colour: 'red' })]), /Unrecognized key/],
    ['101 options in a select', modal([{ type: 'section', text: plain('x'), accessory: { type: 'static_select', options: Array.from({ length: 101 }, (_, i) => option(`o${i}`, `o${i}`)) } }]), /options/],
  ])('refuses %s', (_what, view, rule) => {
    const problems = viewProblems(view);
    expect(problems.join('\n')).toMatch(rule);
  });

  it.each([
    ['a section over 3,000 characters', { text: 'x', blocks: [section('x'.repeat(3001))] }, /blocks\.0\.text\.text/],
    ['51 blocks in a message', { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, /blocks/],
    ['blocks without a text fallback', { blocks: [section('x')] }, /text fallback/],
    ['a text over 40,000 characters', { text: 'x'.repeat(40_001) }, /msg_too_long/],
    ['a button label over 75 characters', { text: 'x', blocks: [{ type: 'actions', elements: [{ type: 'button', text: plain('x'.repeat(76)) }] }] }, /elements\.0\.text\.text/],
    ['26 elements in an actions block', { text: 'x', blocks: [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => ({ type: 'button', action_id: `a${i}`, text: plain('x') })) }] }, /elements/],
    ['11 elements in a context block', { text: 'x', blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })) }] }, /elements/],
    ['a header over 150 characters', { text: 'x', blocks: [{ type: 'header', text: plain('x'.repeat(151)) }] }, /blocks\.0/],
    ['an empty section text', { text: 'x', blocks: [section('')] }, /blocks\.0/],
  ])('refuses %s', (_what, message, rule) => {
    expect(messageProblems(message).join('\n')).toMatch(rule);
  });

  it('checks each Web API method by its surface, and our acks to Slack', () => {
    expect(slackCallProblems('chat.postEphemeral', { text: 'x', blocks: [section('x'.repeat(3001))] })).not.toEqual([]);
    expect(slackCallProblems('views.publish', { view: { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) } })).not.toEqual([]);
    expect(slackCallProblems('reactions.add', { name: 'eyes' })).toEqual([]);
    expect(ackProblems({ response_action: 'update', view: modal([section('x')], { title: plain('x'.repeat(25)) }) })).not.toEqual([]);
    expect(ackProblems({ response_action: 'errors', errors: { tpl_name: 'Required' } })).toEqual([]);
    expect(ackProblems({ response_action: 'errors', errors: { tpl_name: '' } })).not.toEqual([]);
  });
});

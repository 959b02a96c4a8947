import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventCommand } from '../../cli/commands/event.ts';
import { fixturePath, loadFixture } from './fixtures.ts';

const NOW = new Date('2024-05-14T10:30:20.000Z');

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await eventCommand(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), now: () => NOW });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

let scratch: string;
const write = (name: string, text: string) => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'nodewright-event-'));
});

describe('nodewright event', () => {
  it('prints the notices and the action for an accepted event', async () => {
    const result = await run([fixturePath('spot-interruption')]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const output = JSON.parse(result.stdout);
    expect(output.notices).toEqual([
      { instanceId: 'i-1234567890abcdef0', kind: 'spot-interruption', deadline: '2024-05-14T10:32:00.000Z', time: '2024-05-14T10:30:00.000Z', eventId: '12345678-1234-1234-1234-123456789012', region: 'us-east-2' },
    ]);
    expect(output.actions).toEqual([
      {
        instanceId: 'i-1234567890abcdef0',
        executionName: `i-1234567890abcdef0-spot-${Math.floor(Date.parse('2024-05-14T10:30:00Z') / 600_000)}`,
        action: { replace: true, drain: 'now', drainDeadline: '2024-05-14T10:31:45.000Z', terminate: true, completeLifecycleAction: false },
      },
    ]);
  });

  it('prints one action per instance of a Health event', async () => {
    const result = await run([fixturePath('health-scheduled-change-arn-entities')]);
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.actions.map((entry: { instanceId: string }) => entry.instanceId)).toEqual(['i-0abc1234def567890', 'i-0abc1234def567891']);
    expect(output.actions[0].action.drain).toBe('after-replacement');
  });

  it('prints the reason for an ignored event and succeeds', async () => {
    const result = await run([fixturePath('state-change-running')]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ignored: expect.stringContaining('entered state "running"') });
  });

  it('prints the refusal to stderr and exits 2', async () => {
    const result = await run([fixturePath('invalid-spot-bad-instance-id')]);
    expect(result).toEqual({
      status: 2,
      stdout: '',
      stderr: 'refused: detail.instance-id: expected an EC2 instance id like i-0abc1234def567890, got "foo"\n',
    });
  });

  it('reads an SQS batch: accepted notices on stdout, ignored ones listed', async () => {
    const result = await run([fixturePath('sqs-batch')]);
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.notices.map((notice: { kind: string }) => notice.kind)).toEqual(['spot-interruption', 'instance-stopping']);
    expect(output.actions).toHaveLength(2);
    expect(output.ignored).toEqual([{ event: 'Records[2]', reason: expect.stringContaining('"running"') }]);
  });

  it('reads an array of events and reports each refusal by position, exiting 2', async () => {
    const path = write('array.json', JSON.stringify([loadFixture('rebalance-recommendation'), loadFixture('invalid-spot-bad-region'), loadFixture('spot-interruption')]));
    const result = await run([path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('refused: [1]: region: expected an AWS region like us-east-1, got "[region]"\n');
    expect(JSON.parse(result.stdout).notices.map((notice: { kind: string }) => notice.kind)).toEqual(['rebalance-recommendation', 'spot-interruption']);
  });

  it('refuses an SQS record whose body is not JSON or missing', async () => {
    const path = write('bad-body.json', JSON.stringify({ Records: [{ body: '{not json' }, { messageId: 'm-2' }] }));
    const result = await run([path]);
    expect(result.status).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^refused: Records\[0\]: body is not valid JSON \(/);
    expect(lines[1]).toBe('refused: Records[1]: body: expected the event as JSON text, got undefined');
  });

  it.each<[string, () => string[], RegExp]>([
    ['a missing file', () => [join(scratch, 'absent.json')], /^cannot read .*absent\.json: no such file\n$/],
    ['a directory', () => [scratch], /^cannot read .*: it is a directory\n$/],
    ['a file that is not JSON', () => [write('broken.json', '{"id": ')], /^.*broken\.json is not valid JSON: /],
    ['no argument', () => [], /^usage: nodewright event <file\.json>/],
    ['two arguments', () => ['a.json', 'b.json'], /^usage: nodewright event <file\.json>/],
  ])('fails clearly on %s, without a stack trace', async (_case, args, message) => {
    const result = await run(args());
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints usage on --help and succeeds', async () => {
    const result = await run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: nodewright event/);
  });
});

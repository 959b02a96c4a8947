// Dispatches `nodewright <command>`; each command returns its exit status and never throws a stack
// trace at the user: expected failures (bad input, missing files) print one clear line.

import { NodewrightError } from '../shared/errors.ts';

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

const USAGE = `usage: nodewright <command> [options]

commands:
  simulate [scenario.yaml] [--seed N] [--json] [--quiet]
                          run a scenario on the in-process simulator (default: examples/scenarios/default.yaml)
  capacity --nodepool FILE... --pods FILE... [--region R] [--seed N | --live] [--json]
                          the nodes, offerings and prices that would hold these workloads (offline prices:
                          the snapshot and simulated spot from --seed; --live: AWS's current prices)
  event <file.json>       show the notices an EventBridge event yields and the action that follows
  help                    this text
`;

export async function main(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'simulate': {
        // The handlers log as in Lambda; on a terminal the progress lines say enough. The level is
        // read when the logger is created, so it is set before the handlers are imported.
        process.env.POWERTOOLS_LOG_LEVEL ??= args.includes('--verbose') ? 'INFO' : 'SILENT';
        const { simulateCommand } = await import('./commands/simulate.ts');
        return await simulateCommand(args, io);
      }
      case 'capacity': {
        const { capacityCommand } = await import('./commands/capacity.ts');
        return await capacityCommand(args, io);
      }
      case 'event': {
        const { eventCommand } = await import('./commands/event.ts');
        return await eventCommand(args, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr(`nodewright: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof NodewrightError) {
      const problems = (error as NodewrightError & { problems?: string[] }).problems;
      io.stderr(`nodewright ${command}: ${error.message}\n`);
      // Some messages already list their problems; list them only where they do not.
      const unlisted = (problems ?? []).filter((problem) => !error.message.includes(problem));
      if (unlisted.length > 1) for (const problem of unlisted) io.stderr(`  - ${problem}\n`);
      return 2;
    }
    throw error;
  }
}

function processIo(): CommandIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    now: () => new Date(),
  };
}

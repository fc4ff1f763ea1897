/**
 * `npm run token -- --account <id> [--role admin] [--ttl 1h]`: prints a JWT
 * signed with JWT_SECRET (or the dev secret).
 */
import { parseArgs } from 'node:util';
import { parseTtl, signToken } from '@execn/auth';
import { ConfigError, loadConfig } from '@execn/config';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      account: { type: 'string' },
      role: { type: 'string', default: 'trader' },
      ttl: { type: 'string', default: '1h' },
    },
  });
  if (!values.account) throw new Error('usage: npm run token -- --account <id> [--role trader|admin] [--ttl 1h]');
  if (values.role !== 'trader' && values.role !== 'admin') throw new Error('--role must be trader or admin');
  const config = loadConfig();
  const token = await signToken(config.jwtSecret, { accountId: values.account, role: values.role }, parseTtl(values.ttl!));
  process.stdout.write(`${token}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String((err as Error)?.message ?? err)}\n`);
  process.exit(1);
});

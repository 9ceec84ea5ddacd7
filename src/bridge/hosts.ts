import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

const isLoopbackBind = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

/** An address as it appears in a Host header: IPv6 in brackets, without a zone. */
function asHostName(address: string): string {
  const bare = address.replace(/%.*$/, '');
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/**
 * The Host values a bridge bound to `bind` on `port` answers to, lower-cased: the loopback names
 * always; when it listens beyond loopback, also this machine's interface addresses, its hostname
 * (and hostname.local) and the address it is bound to; plus `extra` names (configs/security.yaml
 * serve.allowedHosts, `studio serve --allow-host`). Anything else is a page elsewhere trying to
 * reach us through DNS rebinding, and gets 421.
 */
export function allowedHostHeaders(bind: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(LOOPBACK);
  if (!isLoopbackBind(bind)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(asHostName(a.address));
    const own = hostname().toLowerCase();
    if (own) {
      names.add(own);
      if (!own.endsWith('.local')) names.add(`${own}.local`);
    }
    if (bind !== '0.0.0.0' && bind !== '::') names.add(asHostName(bind));
  }
  for (const e of extra) names.add(asHostName(e.trim().toLowerCase()));
  const out = new Set<string>();
  for (const n of names) {
    const lower = n.toLowerCase();
    out.add(`${lower}:${port}`);
    // Browsers leave the port out of Host when it is the scheme's default.
    if (port === 80) out.add(lower);
  }
  return out;
}

import { readFileSync } from 'fs';
import type { IncomingMessage } from 'http';
import { unauthorized } from '@logbook/machinery';
import type { UserInfo } from '../storage/context';

/** The identity of requests that carry no credentials, on the local all-in-one. */
export const LOCAL_ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

/**
 * Who sent a request. Bearer tokens come from a Kubernetes token file
 * (`--token-auth-file` CSV: `token,user,uid,"group1,group2"`, named by
 * LOGBOOK_TOKEN_FILE); an unknown token is 401. A request without
 * credentials is the local admin — the development default of the
 * all-in-one, which listens on 127.0.0.1 only.
 */
export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(tokenFile = process.env.LOGBOOK_TOKEN_FILE, private readonly anonymous: UserInfo | null = LOCAL_ADMIN) {
    if (tokenFile) for (const [token, user] of parseTokenFile(readFileSync(tokenFile, 'utf8'))) this.tokens.set(token, user);
  }

  authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const user = m ? this.tokens.get(m[1]) : undefined;
      if (!user) throw unauthorized();
      return user;
    }
    if (!this.anonymous) throw unauthorized();
    return this.anonymous;
  }
}

/** Parses the token file's CSV (quoted fields may hold commas). */
export function parseTokenFile(text: string): Array<[string, UserInfo]> {
  const out: Array<[string, UserInfo]> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = splitCsv(line);
    if (fields.length < 3) throw new Error(`token file line needs token,user,uid: ${line}`);
    const [token, username, uid, groups] = fields;
    const groupList = groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [];
    out.push([token, { username, uid, groups: [...groupList, 'system:authenticated'] }]);
  }
  return out;
}

function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  fields.push(cur);
  return fields.map((f) => f.trim());
}

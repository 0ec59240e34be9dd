import { readFileSync } from 'fs';
import { join } from 'path';

/** The Kubernetes API version Logbook serves (kubectl warns beyond one minor of skew). */
export const KUBERNETES_MINOR = 32;

function packageVersion(): string {
  for (const dir of [join(__dirname, '../../..'), join(__dirname, '../../../..')]) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}

/** The body of GET /version, in the shape of k8s.io/apimachinery's version.Info. */
export function versionInfo() {
  const platform = `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`;
  return {
    major: '1',
    minor: String(KUBERNETES_MINOR),
    gitVersion: `v1.${KUBERNETES_MINOR}.0-logbook.${packageVersion()}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform,
  };
}

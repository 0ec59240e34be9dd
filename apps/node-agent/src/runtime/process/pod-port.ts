import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import { Duplex } from 'stream';

/**
 * Connects to 127.0.0.1:<argv[2]> and copies stdin to the connection and the
 * connection to stdout; a failure to connect goes to stderr with exit code 1.
 * Run by Node.js itself inside the pod's network namespace.
 */
const RELAY = `const s = require('net').connect(Number(process.argv[2]), process.argv[1]);
s.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });
process.stdin.pipe(s);
s.pipe(process.stdout);`;

/**
 * A TCP connection to `localhost:<port>` of a pod, as the kubelet's port
 * forwarding makes it: inside the pod's network namespace, so a server that
 * listens on the pod's loopback only is reached too. Node.js cannot enter a
 * namespace itself, so a small relay runs there (`nsenter --net`, as
 * dockershim ran socat); its stdio is the connection. Without a namespace
 * (pods on the host's network) it is a plain connection to 127.0.0.1.
 */
export function dialPodPort(netnsPath: string | undefined, port: number): Duplex {
  if (!netnsPath) {
    return net.connect(port, '127.0.0.1');
  }
  const child = spawn('nsenter', [`--net=${netnsPath}`, '--', process.execPath, '-e', RELAY, '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  return relayStream(child, `failed to connect to localhost:${port} inside namespace "${netnsPath}"`);
}

/** The relay's stdio as one duplex stream; its failure (a non-zero exit) is the stream's error. */
function relayStream(child: ChildProcess, what: string): Duplex {
  let stderr = '';
  const stream = new Duplex({
    read() {
      child.stdout!.resume();
    },
    write(chunk: Buffer, _enc, done) {
      if (!child.stdin!.writable) return done();
      child.stdin!.write(chunk, () => done());
    },
    final(done) {
      child.stdin!.end();
      done();
    },
    destroy(err, done) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      done(err);
    },
  });
  child.stdin!.on('error', () => undefined);
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) child.stdout!.pause();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => stream.destroy(new Error(`${what}: ${err.message}`)));
  // 'close' comes after the relay exited and its output was read: all data is out by then.
  child.on('close', (code) => {
    if (code) stream.destroy(new Error(`${what}: ${stderr.trim() || `exit status ${code}`}`));
    else stream.push(null);
  });
  return stream;
}

'use strict';
// Starts the real peerpress binary with fresh demo content for one test
// file, and stops it afterwards.
//
// The binary is $PEERPRESS_BIN when set (scripts/e2e builds it once), or
// else built here with `go build` into a temporary folder.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');

function binary(tmp) {
  if (process.env.PEERPRESS_BIN) return process.env.PEERPRESS_BIN;
  const bin = path.join(tmp, 'peerpress');
  execFileSync('go', ['build', '-o', bin, './cmd/peerpress'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  return bin;
}

/**
 * Starts `peerpress demo` on a free port of 127.0.0.1 with a fresh data
 * folder. Resolves to { base, host, port, email, password, stop() }.
 */
async function startServer() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peerpress-e2e-'));
  const bin = binary(tmp);
  const data = path.join(tmp, 'data');
  // Port 0: the kernel picks a free port, and peerpress prints the address
  // it listens on.
  const child = spawn(bin, ['demo', '--addr', '127.0.0.1:0', '--data', data], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PEERPRESS_LOG: '' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => { err += b; });
  const login = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peerpress demo did not print its admin line in 60 s\nstdout: ${out}\nstderr: ${err}`)), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peerpress demo exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
    child.stdout.on('data', (b) => {
      out += b;
      const m = out.match(/^admin: (http:\/\/[^\s/]+)\/admin\/\s+email: (\S+)\s+password: (\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve({ base: m[1], email: m[2], password: m[3] });
      }
    });
  });
  child.removeAllListeners('exit');
  const url = new URL(login.base);
  let stopped = false;
  return {
    ...login,
    host: url.host,
    port: Number(url.port),
    data,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

module.exports = { startServer, binary, REPO };

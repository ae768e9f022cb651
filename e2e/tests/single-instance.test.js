// Only one Ripple runs at a time: a second launch hands over to the first and exits.
// (On Linux the handover goes through the D-Bus session bus; e2e/run.sh starts one.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';

const windowShown = () => execFileSync('xwininfo', ['-root', '-tree']).toString().includes('"Ripple — presenter"');

/** Resolves with the exit code, or null if the process is still running after `ms`. */
const exitWithin = (child, ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

test('a second launch exits at once and leaves the first window running', async () => {
  const first = spawn(process.env.RIPPLE_APP, [], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 60 && !windowShown(); i++) await new Promise((r) => setTimeout(r, 250));
    assert.ok(windowShown(), 'the first instance shows its window');
    const second = spawn(process.env.RIPPLE_APP, [], { stdio: 'ignore' });
    const code = await exitWithin(second, 5000);
    if (code === null) second.kill();
    assert.equal(code, 0, 'the second instance exits by itself');
    assert.equal(first.exitCode, null, 'the first instance is still running');
    assert.ok(windowShown());
  } finally {
    first.kill();
    await exitWithin(first, 5000);
  }
});

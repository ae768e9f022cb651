// Only one Ripple runs at a time: a second launch hands over to the first and exits.
// (On Linux the handover goes through the D-Bus session bus; e2e/run.sh starts one.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rippleRunning as windowShown } from './helpers.js';

/** Resolves with the exit code, or null if the process is still running after `ms`. */
const exitWithin = (child, ms) =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a second launch exits at once and leaves the first window running', async () => {
  // The app of an earlier test may still be closing: this test needs it gone.
  for (let i = 0; i < 40 && windowShown(); i++) await sleep(250);
  assert.ok(!windowShown(), 'no Ripple is running before the test');
  const first = spawn(process.env.RIPPLE_APP, [], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 60 && !windowShown(); i++) await sleep(250);
    assert.ok(windowShown(), 'the first instance shows its window');
    assert.equal(first.exitCode, null, 'the first instance is the one running');
    const second = spawn(process.env.RIPPLE_APP, [], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    second.stderr.on('data', (d) => (stderr += d));
    const code = await exitWithin(second, 5000);
    if (code === null) second.kill();
    assert.equal(code, 0, `the second instance exits by itself (stderr: ${stderr.slice(-500)})`);
    assert.equal(first.exitCode, null, 'the first instance is still running');
    assert.ok(windowShown());
  } finally {
    first.kill();
    await exitWithin(first, 5000);
  }
});

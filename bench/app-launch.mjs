// Launches the app RUNS times over WebDriver and prints the time until the demo map is
// drawn; on the last run waits until idle and prints the PSS of the app and its children.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { Builder, By, until } = createRequire(import.meta.url)(`${process.cwd()}/e2e/node_modules/selenium-webdriver`);
const runs = Number(process.env.RUNS || 5);
const app = process.env.RIPPLE_APP;

/** PSS in MB of a process and all its descendants, per command name. */
function pssTree(rootPid) {
  const pids = [rootPid];
  for (let i = 0; i < pids.length; i++) {
    const children = execSync(`pgrep -P ${pids[i]} || true`).toString().split('\n').filter(Boolean);
    pids.push(...children.map(Number));
  }
  const byName = {};
  for (const pid of pids) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const kb = Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]);
      byName[name] = (byName[name] || 0) + kb / 1024;
    } catch { /* gone */ }
  }
  return byName;
}

const times = [];
for (let run = 1; run <= runs; run++) {
  const started = performance.now();
  const driver = await new Builder()
    .usingServer('http://127.0.0.1:4444/')
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: app } })
    .build();
  try {
    await driver.wait(until.elementLocated(By.css('#org-map .unit[data-unit-id="finance"]')), 20000);
    times.push(performance.now() - started);
    if (run === runs) {
      await new Promise((r) => setTimeout(r, 5000));
      const pid = Number(execSync(`pgrep -n -f '^${app}'`).toString().trim());
      const pss = pssTree(pid);
      const total = Object.values(pss).reduce((a, b) => a + b, 0);
      const parts = Object.entries(pss).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
      console.log(`idle memory (PSS): ${total.toFixed(0)} MB — ${parts}`);
    }
  } finally {
    await driver.quit();
  }
}
times.sort((a, b) => a - b);
console.log(`launch to map shown (incl. WebDriver session setup), ${runs} runs: median ${times[runs >> 1].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[runs - 1].toFixed(0)} ms`);

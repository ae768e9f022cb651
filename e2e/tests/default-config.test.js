// The app with its own WebKitGTK settings (compositing and DMA-BUF renderer off, the
// blank-window cure) draws the map under Xvfb: started directly, without WebDriver,
// and photographed from the X display.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Distinct colours in a binary PPM (P6) picture: a blank window has one or two. */
function distinctColours(ppm) {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error(`not a PPM picture: ${JSON.stringify(ppm.subarray(0, 32).toString('latin1'))}`);
  const [, width, height] = header;
  const start = ppm.length - width * height * 3;
  const seen = new Set();
  for (let i = start; i < ppm.length && seen.size < 50; i += 3 * 97) seen.add((ppm[i] << 16) | (ppm[i + 1] << 8) | ppm[i + 2]);
  return seen.size;
}

test('with its own WebKit settings the app draws the demo map under Xvfb', async () => {
  const env = { ...process.env };
  delete env.WEBKIT_DISABLE_COMPOSITING_MODE;
  delete env.WEBKIT_DISABLE_DMABUF_RENDERER;
  const app = spawn(process.env.RIPPLE_APP, [], { env, stdio: 'ignore' });
  try {
    const png = join(process.env.RIPPLE_SCREENSHOTS, 'presenter-default-config.png');
    let colours = 0;
    for (let attempt = 0; attempt < 40 && colours < 10; attempt++) {
      await new Promise((r) => setTimeout(r, 250));
      const ppm = execFileSync('sh', ['-c', 'xwd -root -silent | xwdtopnm 2>/dev/null | pnmcut -width 1280 -height 720 | pnmdepth 255'], {
        maxBuffer: 64 * 1024 * 1024,
      });
      colours = distinctColours(ppm);
      if (colours >= 10) execFileSync('sh', ['-c', `pnmtopng > "${png}"`], { input: ppm });
    }
    assert.ok(colours >= 10, `the window stayed blank (${colours} colours)`);
    assert.ok(readFileSync(png).length > 10000);
  } finally {
    app.kill();
  }
});

/**
 * Run records opened in Training Dynamics, in Chromium: a record `train` wrote in Node is shown
 * with its network and final numbers (equal to Node's) and its curves; a broken record, another
 * kind of file and a file that is not JSON are refused, each problem named by its path; "Train
 * these settings" loads the record's settings into the page. No page error.
 */
import { describe, expect, it } from 'vitest';
import { RunRecorder, toJSON } from '../../src/experiments/record.ts';
import { train } from '../../src/experiments/train.ts';
import { axeProblems } from './axe.ts';
import { useSite } from './fixture.ts';

const site = useSite();
const QUIET = { reducedMotion: 'reduce' } as const;

function nodeRecord(config: Record<string, unknown>) {
  const recorder = new RunRecorder();
  for (const e of train(config)) recorder.add(e);
  return recorder.record();
}

const file = (name: string, text: string) => ({
  name,
  mimeType: 'application/json',
  buffer: Buffer.from(text),
});

describe('run records opened in Training Dynamics', () => {
  it('shows a good record with Node’s numbers, refuses bad files by path, and loads its settings', async () => {
    const config = { arch: 'plain', depth: 14, width: 8, dataset: 'moons', steps: 60, seed: 4 };
    const record = nodeRecord(config);
    const broken = JSON.parse(toJSON(record)) as { history: { testAccuracy: unknown }[] };
    broken.history[1]!.testAccuracy = 'high';

    const { context, page, problems } = await site.open('&section=training-dynamics', QUIET);
    const section = page.getByTestId('recorded-runs');
    await section.scrollIntoViewIfNeeded();
    const input = page.getByTestId('recorded-open');
    await input.setInputFiles([
      file('run.json', toJSON(record)),
      file('broken.json', JSON.stringify(broken)),
      file('sweep.json', '{"schema": "resnet-lab/sweep@1", "config": {}, "runs": []}'),
      file('notes.json', 'not json'),
    ]);
    const refused = page.getByTestId('recorded-problems');
    await refused.waitFor();
    const text = (await refused.textContent())!;
    expect(text).toMatch(/broken\.json is not a run record/);
    expect(text).toMatch(/history\[1\]\.testAccuracy: /);
    expect(text).toMatch(/schema: this is a "resnet-lab\/sweep@1" file/);
    expect(text).toMatch(/notes\.json is not a run record[\s\S]*not JSON/);

    const runs = page.getByTestId('recorded-run');
    await expect.poll(() => runs.count()).toBe(1);
    const shown = (await runs.first().textContent())!.replace(/\s+/g, ' ');
    const final = record.final!;
    expect(shown).toContain('run.json: Plain-14, width 8');
    expect(shown).toContain(`test accuracy ${(final.testAccuracy! * 100).toFixed(1)}%`);
    expect(shown).toContain(`training loss ${final.trainLoss!.toPrecision(3)}`);
    expect(await section.locator('canvas').count()).toBeGreaterThan(0);

    expect(await axeProblems(page, '[data-testid="recorded-runs"]')).toEqual([]);

    await runs
      .first()
      .getByRole('button', { name: /^Train these settings: run\.json/ })
      .click();
    await expect
      .poll(() => page.evaluate(() => new URLSearchParams(location.search).get('depth')))
      .toBe('14');
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('dataset'))).toBe(
      'moons',
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});

/**
 * Driving Training Dynamics as a person would, shared by its browser test and the page's
 * benchmark (bench/page.ts).
 */
import type { Page } from 'playwright-core';

/** Fills the settings form; keys are TrainConfig keys, values as a person would enter them. */
export async function fill(
  page: Page,
  settings: Record<string, string | number | boolean>,
): Promise<void> {
  for (const [key, value] of Object.entries(settings)) {
    const control = page.locator(`#field-${key}`);
    if (!(await control.isVisible())) await page.locator('#settings summary').click();
    const tag = await control.evaluate((el) => el.tagName.toLowerCase());
    if (typeof value === 'boolean') await control.setChecked(value);
    else if (tag === 'select') await control.selectOption(String(value));
    else await control.fill(String(value));
  }
}

/** The step a network's card shows. */
export const stepOf = async (page: Page, net: 'plain' | 'resnet'): Promise<number> =>
  Number(await page.getByTestId(`step-${net}`).textContent());

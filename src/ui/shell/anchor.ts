/**
 * Opening the page at a section (`?section=…` or `#anchor`). The live figures above the target
 * grow as they mount, which would leave a single scroll short of it, so the page stays on the
 * target while the layout settles — until the reader scrolls, types or taps, or a few seconds
 * have passed.
 */
const INTERACTIONS = ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const;

export function settleOn(id: string, ms = 3000): void {
  const target = document.getElementById(id);
  if (!target) return;
  const go = () => target.scrollIntoView({ block: 'start', behavior: 'instant' });
  go();
  const observer = new ResizeObserver(go);
  observer.observe(document.body);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
    for (const type of INTERACTIONS) removeEventListener(type, stop);
  };
  const timer = setTimeout(stop, ms);
  for (const type of INTERACTIONS) addEventListener(type, stop, { passive: true });
}

/** The anchor a `#hash` names; a broken percent-encoding (a mangled link) names none. */
export function anchorOf(hash: string): string {
  try {
    return decodeURIComponent(hash.slice(1));
  } catch {
    return '';
  }
}

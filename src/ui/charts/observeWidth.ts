/**
 * `{@attach observeWidth((w) => (width = w))}`: an element's clientWidth, as `bind:clientWidth`
 * gives it, but read only when its ResizeObserver reports, after the browser's own layout.
 * `bind:clientWidth` also reads the width as the element mounts, which forces a layout of the
 * whole page in the middle of mounting it (≈ 170 ms of the first screen on a 2-core laptop).
 * Until the first report the owner's width stays what it was (0: nothing drawn yet).
 */
import type { Attachment } from 'svelte/attachments';

export function observeWidth(set: (width: number) => void): Attachment<HTMLElement> {
  return (element) => {
    // inside the observer's callback layout is already done: reading clientWidth costs nothing
    const observer = new ResizeObserver(() => set(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  };
}

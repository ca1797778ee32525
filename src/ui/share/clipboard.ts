/**
 * Copying text: the async clipboard where the page may use it (a secure context, a user
 * gesture), else the text is selected in the element that shows it (a read-only field, a
 * <code>) so the reader can copy it with their own keys (execCommand('copy') is tried on the way).
 */
export type CopyResult = 'copied' | 'selected';

export async function copyText(text: string, shownIn?: HTMLElement | null): Promise<CopyResult> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch {
    // refused (no permission, no focus): fall back to selecting
  }
  if (shownIn) {
    if (shownIn instanceof HTMLInputElement || shownIn instanceof HTMLTextAreaElement) {
      shownIn.focus();
      shownIn.select();
    } else window.getSelection()?.selectAllChildren(shownIn);
    try {
      if (document.execCommand('copy')) return 'copied';
    } catch {
      // not supported: the selection stays for the reader
    }
  }
  return 'selected';
}

/** The line to announce after a copy. */
export function copyMessage(result: CopyResult, what: string): string {
  return result === 'copied'
    ? `${what} copied to the clipboard.`
    : `${what} is selected: press Ctrl+C (⌘C on a Mac) to copy it.`;
}

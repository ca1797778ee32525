/**
 * Exporting what the page shows: CSV text, PNG and SVG images of charts and diagrams, and the
 * run record (the CLI's JSON). The text builders are pure; the rest need a DOM.
 */
import { RunRecorder, type RunRecord, toJSON } from '../../experiments/record.ts';
import type { TrainEvent } from '../../experiments/train.ts';

/** Offers `blob` to the reader as a file download called `filename`. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // the download has started by now; revoke later so slow browsers can still read it
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A table as CSV (RFC 4180 quoting): a header line, one line per row, `\n` line ends and a
 * trailing newline (like the CLI's CSV). null, undefined and non-finite numbers are empty cells;
 * numbers are written as JavaScript prints them.
 */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (number | string | null)[])[],
): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Aligned columns (uPlot's data shape: x first, then the series) as CSV rows: row i holds
 * column j's i-th value.
 */
export function columnsToRows(
  columns: readonly ArrayLike<number | null | undefined>[],
): (number | null)[][] {
  const n = columns.reduce((m, c) => Math.max(m, c.length), 0);
  const rows: (number | null)[][] = [];
  for (let i = 0; i < n; i++) rows.push(columns.map((c) => c[i] ?? null));
  return rows;
}

/**
 * The run record (schema `resnet-lab/run@1`, docs/run-schema.md) of a run's events, as the CLI
 * writes it: same config, same seed → byte-identical text. Null before the run's start event.
 */
export function runRecord(events: Iterable<TrainEvent>): RunRecord | null {
  const recorder = new RunRecorder();
  let started = false;
  for (const event of events) {
    if (event.type === 'start') started = true;
    recorder.add(event);
  }
  return started ? recorder.record() : null;
}

/** The run's JSON text (the CLI's `--out` format), from its events or its record. */
export function runJson(run: Iterable<TrainEvent> | RunRecord): string | null {
  const record = isRecord(run) ? run : runRecord(run);
  return record && toJSON(record);
}

function isRecord(run: Iterable<TrainEvent> | RunRecord): run is RunRecord {
  return (run as RunRecord).schema !== undefined && !(Symbol.iterator in run);
}

/** The text of a download: strings as they are, anything else as 2-space JSON with a newline. */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`;
}

export interface PngOptions {
  /** drawn above the image, on the page's background */
  title?: string;
  /** coloured keys drawn under the title */
  legend?: readonly { label: string; color: string }[];
  /** behind transparent pixels (a PNG viewer shows transparency as black or a checkerboard) */
  background?: string;
}

/**
 * A canvas as a PNG blob, on an opaque background, with an optional title and legend composed
 * above it.
 */
export async function canvasToPngBlob(
  canvas: HTMLCanvasElement,
  options: PngOptions = {},
): Promise<Blob> {
  const background = options.background ?? pageBackground();
  const legend = options.legend ?? [];
  const scale = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
  const font = Math.round(14 * scale);
  const pad = Math.round(8 * scale);
  const titleH = options.title ? font + pad : 0;
  const legendH = legend.length ? font + pad : 0;
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height + titleH + legendH + (titleH || legendH ? pad : 0);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('canvas 2D context unavailable');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = textColour();
  ctx.textBaseline = 'top';
  let y = pad;
  if (options.title) {
    ctx.font = `600 ${font}px system-ui, sans-serif`;
    ctx.fillText(options.title, pad, y);
    y += titleH;
  }
  if (legend.length) {
    ctx.font = `${font}px system-ui, sans-serif`;
    let x = pad;
    for (const item of legend) {
      ctx.fillStyle = item.color;
      ctx.fillRect(x, y + font * 0.2, font * 0.8, font * 0.8);
      x += font * 0.8 + pad / 2;
      ctx.fillStyle = textColour();
      ctx.fillText(item.label, x, y);
      x += ctx.measureText(item.label).width + pad * 2;
    }
    y += legendH;
  }
  ctx.drawImage(canvas, 0, titleH || legendH ? y : 0);
  return new Promise((resolve, reject) =>
    out.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed'))),
      'image/png',
    ),
  );
}

function pageBackground(): string {
  const bg = getComputedStyle(document.body).backgroundColor;
  return !bg || bg === 'transparent' || bg === 'rgba(0, 0, 0, 0)' ? '#ffffff' : bg;
}

function textColour(): string {
  return getComputedStyle(document.body).color || '#0f172a';
}

/** Presentation properties that CSS (classes, custom properties) may set on SVG elements. */
const SVG_PAINT_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
] as const;
const SVG_TEXT_PROPS = [
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
] as const;
const TEXT_ELEMENTS = new Set(['svg', 'text', 'tspan', 'textPath']);

/**
 * A standalone SVG document of an element on the page: the computed colours, strokes and (on
 * text) fonts inlined on every element in place of classes and custom properties (the page's
 * stylesheets do not travel with the file), hidden elements left out, the SVG namespaces
 * declared, and an XML declaration.
 */
export function svgToString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const source = [svg, ...svg.querySelectorAll('*')];
  const target = [clone, ...clone.querySelectorAll('*')];
  const hidden: Element[] = [];
  for (let i = 0; i < source.length; i++) {
    const computed = getComputedStyle(source[i]!);
    const el = target[i]!;
    if (i > 0 && computed.display === 'none') {
      hidden.push(el);
      continue;
    }
    const props = TEXT_ELEMENTS.has(el.localName)
      ? [...SVG_PAINT_PROPS, ...SVG_TEXT_PROPS]
      : SVG_PAINT_PROPS;
    const inline: string[] = [];
    for (const prop of props) {
      const value = computed.getPropertyValue(prop);
      if (value) inline.push(`${prop}:${value}`);
    }
    if (computed.visibility !== 'visible') inline.push(`visibility:${computed.visibility}`);
    el.setAttribute('style', inline.join(';'));
    el.removeAttribute('class');
  }
  for (const el of hidden) el.remove();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const box = svg.getBoundingClientRect();
  if (!clone.hasAttribute('width')) clone.setAttribute('width', String(Math.round(box.width)));
  if (!clone.hasAttribute('height')) clone.setAttribute('height', String(Math.round(box.height)));
  return withXmlns(new XMLSerializer().serializeToString(clone));
}

/** An SVG text as a file: an XML declaration, and the SVG namespace if it lacks one. */
export function withXmlns(svgText: string): string {
  let text = svgText.trim();
  if (!/^<svg[^>]*\sxmlns=/.test(text))
    text = text.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return text.startsWith('<?xml')
    ? `${text}\n`
    : `<?xml version="1.0" encoding="UTF-8"?>\n${text}\n`;
}

/**
 * An SVG element on the page drawn onto a canvas of its size on screen (for a PNG of an SVG
 * figure): its standalone document (svgToString) loaded as an image.
 */
export async function svgToCanvas(svg: SVGSVGElement): Promise<HTMLCanvasElement> {
  const text = svgToString(svg);
  const box = svg.getBoundingClientRect();
  const width = Math.max(1, Math.round(box.width));
  const height = Math.max(1, Math.round(box.height));
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    // at 1:1 (a detached canvas has no CSS size, which canvasToPngBlob scales its title by)
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('canvas 2D context unavailable');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return canvas;
  } finally {
    URL.revokeObjectURL(url);
  }
}

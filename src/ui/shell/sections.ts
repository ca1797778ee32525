/** The article's sections in page order: anchors and titles, from the URL schema. */
import { SECTION_IDS, SECTION_TITLES } from '../state/url.ts';

export { SECTION_TITLES };

export const SECTIONS = SECTION_IDS.map((id) => ({ id, title: SECTION_TITLES[id] }));

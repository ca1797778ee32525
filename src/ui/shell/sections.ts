/** The article's sections: anchors (from the URL schema, in page order) and their titles. */
import { SECTION_IDS, type SectionId } from '../state/url.ts';

export const SECTION_TITLES: Record<SectionId, string> = {
  introduction: 'Introduction',
  degradation: 'The Degradation Problem',
  visualizer: 'Interactive ResNet Visualizer',
  'residual-block': 'Residual Block Architecture',
  'training-dynamics': 'Training Dynamics Comparison',
  convergence: 'Convergence Speed Analysis',
  'plain-vs-resnet': 'Plain Network Issues vs ResNet Advantages',
  math: 'Mathematical Foundation',
  variants: 'ResNet Variants',
  impact: 'Impact and Applications',
  takeaways: 'Key Takeaways',
};

export const SECTIONS = SECTION_IDS.map((id) => ({ id, title: SECTION_TITLES[id] }));

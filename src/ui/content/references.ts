/**
 * Every work the page cites, in one table: the in-text citations (`<Cite id="…" />`) and the
 * References list at the end of the article are both drawn from it, so they cannot disagree.
 * Style: author–year in the text ("He et al. 2015"); the list gives authors, year, title, venue
 * and a link, sorted by first author.
 */
export interface Reference {
  /** author–year as the text cites it: "He et al. 2015" */
  readonly short: string;
  /** all authors as "K. He, X. Zhang, …" */
  readonly authors: string;
  readonly year: number;
  /** the year as the list shows it where one author group has two works that year: "2015a" */
  readonly yearLabel?: string;
  readonly title: string;
  /** where it appeared: "CVPR 2016", "NeurIPS 2017", "Nature 550" */
  readonly venue: string;
  /** a stable link: arXiv abstract, DOI or the proceedings page */
  readonly url: string;
}

export const REFERENCES = {
  he2015: {
    // two He et al. papers of 2015: this one (December) is 2015a, "Delving deep" 2015b
    short: 'He et al. 2015a',
    yearLabel: '2015a',
    authors: 'K. He, X. Zhang, S. Ren, J. Sun',
    year: 2015,
    title: 'Deep Residual Learning for Image Recognition',
    venue: 'CVPR 2016 (arXiv 1512.03385)',
    url: 'https://arxiv.org/abs/1512.03385',
  },
  he2016: {
    short: 'He et al. 2016',
    authors: 'K. He, X. Zhang, S. Ren, J. Sun',
    year: 2016,
    title: 'Identity Mappings in Deep Residual Networks',
    venue: 'ECCV 2016 (arXiv 1603.05027)',
    url: 'https://arxiv.org/abs/1603.05027',
  },
  heDelving2015: {
    short: 'He et al. 2015b',
    yearLabel: '2015b',
    authors: 'K. He, X. Zhang, S. Ren, J. Sun',
    year: 2015,
    title:
      'Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification',
    venue: 'ICCV 2015 (arXiv 1502.01852)',
    url: 'https://arxiv.org/abs/1502.01852',
  },
  glorot2010: {
    short: 'Glorot & Bengio 2010',
    authors: 'X. Glorot, Y. Bengio',
    year: 2010,
    title: 'Understanding the Difficulty of Training Deep Feedforward Neural Networks',
    venue: 'AISTATS 2010, PMLR 9',
    url: 'https://proceedings.mlr.press/v9/glorot10a.html',
  },
  ioffe2015: {
    short: 'Ioffe & Szegedy 2015',
    authors: 'S. Ioffe, C. Szegedy',
    year: 2015,
    title:
      'Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift',
    venue: 'ICML 2015 (arXiv 1502.03167)',
    url: 'https://arxiv.org/abs/1502.03167',
  },
  srivastava2015: {
    short: 'Srivastava et al. 2015',
    authors: 'R. K. Srivastava, K. Greff, J. Schmidhuber',
    year: 2015,
    title: 'Training Very Deep Networks',
    venue: 'NeurIPS 2015 (arXiv 1507.06228; first as “Highway Networks”, arXiv 1505.00387)',
    url: 'https://arxiv.org/abs/1505.00387',
  },
  xie2017: {
    short: 'Xie et al. 2017',
    authors: 'S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He',
    year: 2017,
    title: 'Aggregated Residual Transformations for Deep Neural Networks',
    venue: 'CVPR 2017 (arXiv 1611.05431)',
    url: 'https://arxiv.org/abs/1611.05431',
  },
  huang2017: {
    short: 'Huang et al. 2017',
    authors: 'G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger',
    year: 2017,
    title: 'Densely Connected Convolutional Networks',
    venue: 'CVPR 2017 (arXiv 1608.06993)',
    url: 'https://arxiv.org/abs/1608.06993',
  },
  veit2016: {
    short: 'Veit et al. 2016',
    authors: 'A. Veit, M. Wilber, S. Belongie',
    year: 2016,
    title: 'Residual Networks Behave Like Ensembles of Relatively Shallow Networks',
    venue: 'NeurIPS 2016 (arXiv 1605.06431)',
    url: 'https://arxiv.org/abs/1605.06431',
  },
  balduzzi2017: {
    short: 'Balduzzi et al. 2017',
    authors: 'D. Balduzzi, M. Frean, L. Leary, J. P. Lewis, K. W.-D. Ma, B. McWilliams',
    year: 2017,
    title: 'The Shattered Gradients Problem: If resnets are the answer, then what is the question?',
    venue: 'ICML 2017 (arXiv 1702.08591)',
    url: 'https://arxiv.org/abs/1702.08591',
  },
  li2018: {
    short: 'Li et al. 2018',
    authors: 'H. Li, Z. Xu, G. Taylor, C. Studer, T. Goldstein',
    year: 2018,
    title: 'Visualizing the Loss Landscape of Neural Nets',
    venue: 'NeurIPS 2018 (arXiv 1712.09913)',
    url: 'https://arxiv.org/abs/1712.09913',
  },
  russakovsky2015: {
    short: 'Russakovsky et al. 2015',
    authors:
      'O. Russakovsky, J. Deng, H. Su, J. Krause, S. Satheesh, S. Ma, Z. Huang, A. Karpathy, A. Khosla, M. Bernstein, A. C. Berg, L. Fei-Fei',
    year: 2015,
    title: 'ImageNet Large Scale Visual Recognition Challenge',
    venue: 'International Journal of Computer Vision 115 (arXiv 1409.0575)',
    url: 'https://arxiv.org/abs/1409.0575',
  },
  ren2015: {
    short: 'Ren et al. 2015',
    authors: 'S. Ren, K. He, R. Girshick, J. Sun',
    year: 2015,
    title: 'Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks',
    venue: 'NeurIPS 2015 (arXiv 1506.01497)',
    url: 'https://arxiv.org/abs/1506.01497',
  },
  lin2017: {
    short: 'Lin et al. 2017',
    authors: 'T.-Y. Lin, P. Dollár, R. Girshick, K. He, B. Hariharan, S. Belongie',
    year: 2017,
    title: 'Feature Pyramid Networks for Object Detection',
    venue: 'CVPR 2017 (arXiv 1612.03144)',
    url: 'https://arxiv.org/abs/1612.03144',
  },
  he2017: {
    short: 'He et al. 2017',
    authors: 'K. He, G. Gkioxari, P. Dollár, R. Girshick',
    year: 2017,
    title: 'Mask R-CNN',
    venue: 'ICCV 2017 (arXiv 1703.06870)',
    url: 'https://arxiv.org/abs/1703.06870',
  },
  chen2018: {
    short: 'Chen et al. 2018',
    authors: 'L.-C. Chen, G. Papandreou, I. Kokkinos, K. Murphy, A. L. Yuille',
    year: 2018,
    title:
      'DeepLab: Semantic Image Segmentation with Deep Convolutional Nets, Atrous Convolution, and Fully Connected CRFs',
    venue: 'IEEE TPAMI 40(4) (arXiv 1606.00915)',
    url: 'https://arxiv.org/abs/1606.00915',
  },
  deng2019: {
    short: 'Deng et al. 2019',
    authors: 'J. Deng, J. Guo, N. Xue, S. Zafeiriou',
    year: 2019,
    title: 'ArcFace: Additive Angular Margin Loss for Deep Face Recognition',
    venue: 'CVPR 2019 (arXiv 1801.07698)',
    url: 'https://arxiv.org/abs/1801.07698',
  },
  ronneberger2015: {
    short: 'Ronneberger et al. 2015',
    authors: 'O. Ronneberger, P. Fischer, T. Brox',
    year: 2015,
    title: 'U-Net: Convolutional Networks for Biomedical Image Segmentation',
    venue: 'MICCAI 2015 (arXiv 1505.04597)',
    url: 'https://arxiv.org/abs/1505.04597',
  },
  rajpurkar2017: {
    short: 'Rajpurkar et al. 2017',
    authors:
      'P. Rajpurkar, J. Irvin, K. Zhu, B. Yang, H. Mehta, T. Duan, D. Ding, A. Bagul, C. Langlotz, K. Shpanskaya, M. P. Lungren, A. Y. Ng',
    year: 2017,
    title: 'CheXNet: Radiologist-Level Pneumonia Detection on Chest X-Rays with Deep Learning',
    venue: 'arXiv 1711.05225',
    url: 'https://arxiv.org/abs/1711.05225',
  },
  vaswani2017: {
    short: 'Vaswani et al. 2017',
    authors:
      'A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser, I. Polosukhin',
    year: 2017,
    title: 'Attention Is All You Need',
    venue: 'NeurIPS 2017 (arXiv 1706.03762)',
    url: 'https://arxiv.org/abs/1706.03762',
  },
  xiong2020: {
    short: 'Xiong et al. 2020',
    authors:
      'R. Xiong, Y. Yang, D. He, K. Zheng, S. Zheng, C. Xing, H. Zhang, Y. Lan, L. Wang, T.-Y. Liu',
    year: 2020,
    title: 'On Layer Normalization in the Transformer Architecture',
    venue: 'ICML 2020 (arXiv 2002.04745)',
    url: 'https://arxiv.org/abs/2002.04745',
  },
  dosovitskiy2021: {
    short: 'Dosovitskiy et al. 2021',
    authors:
      'A. Dosovitskiy, L. Beyer, A. Kolesnikov, D. Weissenborn, X. Zhai, T. Unterthiner, M. Dehghani, M. Minderer, G. Heigold, S. Gelly, J. Uszkoreit, N. Houlsby',
    year: 2021,
    title: 'An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale',
    venue: 'ICLR 2021 (arXiv 2010.11929)',
    url: 'https://arxiv.org/abs/2010.11929',
  },
  oord2016: {
    short: 'van den Oord et al. 2016',
    authors:
      'A. van den Oord, S. Dieleman, H. Zen, K. Simonyan, O. Vinyals, A. Graves, N. Kalchbrenner, A. Senior, K. Kavukcuoglu',
    year: 2016,
    title: 'WaveNet: A Generative Model for Raw Audio',
    venue: 'arXiv 1609.03499',
    url: 'https://arxiv.org/abs/1609.03499',
  },
  gulati2020: {
    short: 'Gulati et al. 2020',
    authors:
      'A. Gulati, J. Qin, C.-C. Chiu, N. Parmar, Y. Zhang, J. Yu, W. Han, S. Wang, Z. Zhang, Y. Wu, R. Pang',
    year: 2020,
    title: 'Conformer: Convolution-augmented Transformer for Speech Recognition',
    venue: 'Interspeech 2020 (arXiv 2005.08100)',
    url: 'https://arxiv.org/abs/2005.08100',
  },
  wang2017: {
    short: 'Wang et al. 2017',
    authors: 'Z. Wang, W. Yan, T. Oates',
    year: 2017,
    title: 'Time Series Classification from Scratch with Deep Neural Networks: A Strong Baseline',
    venue: 'IJCNN 2017 (arXiv 1611.06455)',
    url: 'https://arxiv.org/abs/1611.06455',
  },
  ismailfawaz2019: {
    short: 'Ismail Fawaz et al. 2019',
    authors: 'H. Ismail Fawaz, G. Forestier, J. Weber, L. Idoumghar, P.-A. Muller',
    year: 2019,
    title: 'Deep Learning for Time Series Classification: A Review',
    venue: 'Data Mining and Knowledge Discovery 33(4) (arXiv 1809.04356)',
    url: 'https://arxiv.org/abs/1809.04356',
  },
  ho2020: {
    short: 'Ho et al. 2020',
    authors: 'J. Ho, A. Jain, P. Abbeel',
    year: 2020,
    title: 'Denoising Diffusion Probabilistic Models',
    venue: 'NeurIPS 2020 (arXiv 2006.11239)',
    url: 'https://arxiv.org/abs/2006.11239',
  },
} as const satisfies Record<string, Reference>;

export type ReferenceId = keyof typeof REFERENCES;

/** The list's order: first author's family name, then year (ids are written surname-first). */
export const REFERENCE_IDS: readonly ReferenceId[] = (
  Object.keys(REFERENCES) as ReferenceId[]
).sort((a, b) => {
  const ka = REFERENCES[a].short.replace(/^van den /, '').toLowerCase();
  const kb = REFERENCES[b].short.replace(/^van den /, '').toLowerCase();
  return ka < kb ? -1 : ka > kb ? 1 : 0;
});

/** The anchor of a reference's entry in the References list. */
export function referenceAnchor(id: ReferenceId): string {
  return `ref-${id}`;
}

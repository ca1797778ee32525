/**
 * The variant cards that offer a choice of network (a select), by card id: the builtins each can
 * show and the one shown at first. Shared by the section (which renders the cards) and the page's
 * URL schema (../state/url.ts), which keeps the reader's choice in the link.
 */
export const CARD_CHOICES = {
  densenet: { names: ['densenet121', 'densenet169', 'densenet201'], initial: 'densenet121' },
  highway: {
    names: ['highway-10', 'highway-20', 'highway-50', 'highway-100'],
    initial: 'highway-100',
  },
} as const satisfies Record<string, { names: readonly string[]; initial: string }>;

export type ChoiceCard = keyof typeof CARD_CHOICES;
export const CHOICE_CARDS = Object.keys(CARD_CHOICES) as ChoiceCard[];

/** The spec editor's first text: this builtin's spec. */
export const FIRST_SPEC = 'resnet50';

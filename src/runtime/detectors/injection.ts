// Prompt-injection scoring: normalises text and scores it against weighted signal patterns.

/** One signal that fired. */
export interface InjectionSignal {
  id: string;
  weight: number;
}

/** Result of scoring one text. */
export interface InjectionScore {
  /** Score in [0, 1]. */
  score: number;
  signals: InjectionSignal[];
}

interface SignalPattern {
  id: string;
  weight: number;
  pattern: RegExp;
}

const SIGNALS: SignalPattern[] = [
  {
    id: 'instruction_override',
    weight: 0.9,
    pattern:
      /\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(?:previous|prior|above|earlier|preceding|all|your|the|any)\b[^.!?\n]{0,30}\b(?:instructions?|prompts?|rules|guidelines|directives|context|messages?)\b/i,
  },
  {
    id: 'system_prompt_extraction',
    weight: 0.85,
    pattern:
      /\b(?:reveal|print|show|output|repeat|display|leak|tell me)\b[^.!?\n]{0,30}\b(?:your|the)\s+(?:system|hidden|initial|original)\s+(?:prompt|instructions?|message)\b/i,
  },
  {
    id: 'persona_hijack',
    weight: 0.85,
    pattern: /\b(?:you are now|from now on,? you are|act as|pretend to be)\b[^.!?\n]{0,40}\b(?:DAN|jailbroken|unrestricted|unfiltered|without (?:any )?(?:rules|restrictions|filters))\b/i,
  },
  { id: 'jailbreak_persona', weight: 0.8, pattern: /\b(?:DAN mode|developer mode enabled|do anything now)\b/i },
  { id: 'fake_boundary', weight: 0.8, pattern: /(?:<\|im_start\|>|<\|system\|>|\[\/?INST\]|<<SYS>>|^\s*#{2,}\s*system\s*:)/im },
];

/** Scores `text` for prompt-injection signals. Pure and linear in the text length. */
export function scoreInjection(text: string): InjectionScore {
  const normalized = text.normalize('NFKC').replace(/[\u200B-\u200D\u2060\uFEFF]/g, '');
  const signals: InjectionSignal[] = [];
  for (const s of SIGNALS) {
    if (s.pattern.test(normalized)) signals.push({ id: s.id, weight: s.weight });
  }
  // Independent signals combine like probabilities: 1 - Π(1 - w).
  let miss = 1;
  for (const s of signals) miss *= 1 - s.weight;
  return { score: Math.round((1 - miss) * 1000) / 1000, signals };
}

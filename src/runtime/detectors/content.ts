// Content categories (violence, self-harm, sexual, hate, weapons, drugs) plus custom terms: whole-word, obfuscation-aware phrase matching.
import { execAll } from './exec-all.js';
import { normalize } from './normalize.js';

/** Every built-in category, sorted. */
export const CONTENT_CATEGORIES = ['drugs', 'hate', 'self_harm', 'sexual', 'violence', 'weapons'] as const;

/** One match, with offsets into the original text. */
export interface ContentMatch {
  category: string;
  start: number;
  end: number;
}

/** Custom rules of a content-filter policy. */
export interface ContentRules {
  categories: readonly string[];
  /** Literal terms, matched case-insensitively as whole words on the de-obfuscated text (category `blocked_term`). */
  terms?: readonly string[];
  /** Regular expressions (category `blocked_pattern`), scanned window by window. */
  patterns?: readonly RegExp[];
}

/** Whole-word matcher for any script (custom terms). */
const W = (s: string): RegExp => new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${s})(?![\p{L}\p{N}])`, 'giu');
/** Whole-word matcher for the built-in English phrases: ASCII word boundaries are enough and much faster. */
const WA = (s: string): RegExp => new RegExp(String.raw`\b(?:${s})\b`, 'gi');
const PERSON = String.raw`(?:him|her|them|someone|somebody|people|a person|my (?:wife|husband|boss|neighbou?r|coworker|co-worker|teacher|ex|mom|dad|mother|father|brother|sister|partner|classmate)|a (?:child|kid|cop|police officer|classmate|coworker))`;

/**
 * Phrases that express the harmful intent or content, not the topic: "how do I kill a process" and
 * "the history of the opium wars" pass; "how do I kill my neighbour" does not.
 */
const CATEGORY_PATTERNS: Record<string, RegExp[]> = {
  violence: [
    WA(String.raw`(?:how (?:do i|can i|to|would i)|i (?:want|need|plan|am going|'m going) to|help me|ways to|best way to)\s+(?:kill|murder|strangle|stab|shoot|poison|torture|kidnap|assault|beat up|hurt|maim|behead|execute)\s+${PERSON}`),
    WA(String.raw`i(?:'m| am)? (?:going to|gonna|will) (?:kill|murder|stab|shoot|strangle|hurt) (?:you|him|her|them|everyone|my \w+)`),
    WA(String.raw`(?:plan(?:ning)?|carry out|commit) (?:a )?(?:mass shooting|massacre|school shooting|terror(?:ist)? attack|stabbing spree)`),
    WA(String.raw`(?:dispose of|get rid of|hide) (?:a|the) (?:dead )?body`),
  ],
  self_harm: [
    WA(String.raw`(?:i (?:want|need|plan|am going|'m going) to|how (?:do i|can i|to|should i)|best way to|painless way to|ways to)\s+(?:kill myself|end my life|commit suicide|take my (?:own )?life|hurt myself|cut myself|harm myself|overdose)`),
    WA(String.raw`(?:i (?:want|wish) (?:to die|i was dead|i were dead)|suicide (?:method|methods|note|plan)|self[- ]harm (?:tips|methods|techniques)|(?:lethal|fatal) dose of \w+ to (?:die|end it))`),
  ],
  sexual: [
    WA(String.raw`(?:explicit|graphic|hardcore|erotic|pornographic|x-rated|nsfw)\s+(?:sex(?:ual)?|porn|erotica|story|stories|scene|scenes|content|images?|videos?|roleplay)`),
    WA(String.raw`porn(?:o|ography|hub)?|xxx|hentai|nudes?|naked (?:photos?|pictures?|pics)|sex tape|onlyfans leaks?|blowjob|handjob|gangbang|camgirl`),
    WA(String.raw`(?:sexual|sexy|nude|naked|erotic)\s+(?:\w+\s+)?(?:minor|minors|child|children|kid|kids|underage|teen|teens|preteen)|child (?:porn|sexual abuse material)|csam|loli(?:con)?`),
  ],
  hate: [
    WA(String.raw`(?:all|those|these|the|every|filthy|dirty)\s+(?:\w+\s+)?(?:jews|muslims|christians|blacks|whites|asians|arabs|mexicans|immigrants|gays|lesbians|trans people|women|men|hindus|sikhs|latinos|africans)\s+(?:should|must|need to|deserve to|ought to)\s+(?:die|be killed|be exterminated|be wiped out|be gassed|be deported|burn|be eradicated|go back)`),
    WA(String.raw`ethnic cleansing now|gas the \w+|white power|sieg heil|heil hitler|14 ?88(?=\W{0,3}(?:heil|sieg|wpww|white|aryan|forever)\b)|(?:heil|sieg|wpww|white (?:pride|power|race)|aryan|nazi|skinheads?)\W{1,3}(?:\w{1,20}\W{1,3}){0,3}14 ?88|subhuman (?:race|vermin|animals)|race war now|(?:kill|exterminate|eradicate) all (?:the )?\w+s\b`),
  ],
  weapons: [
    WA(String.raw`(?:how (?:do i|can i|to|would i)|instructions (?:for|to)|steps to|guide to|help me|teach me to)\s+(?:build|make|assemble|construct|3d[- ]print|manufacture|create|wire)\s+(?:a |an )?(?:homemade |improvised |untraceable )?(?:bomb|pipe bomb|ied|explosive(?: device)?|grenade|molotov(?: cocktail)?|ghost gun|silencer|suppressor|napalm|thermite charge|dirty bomb|nail bomb|car bomb|machine gun|auto sear)`),
    WA(String.raw`(?:convert|modify|turn)\s+(?:an? |my )?(?:ar-?15|glock|rifle|pistol|semi-?auto(?:matic)?)\s+(?:in)?to\s+(?:full[- ]auto|fully automatic|automatic)|(?:synthesi[sz]e|make|produce|weaponi[sz]e)\s+(?:sarin|vx|tabun|ricin|anthrax|mustard gas|nerve agent|chlorine gas|botulinum)`),
  ],
  drugs: [
    WA(String.raw`(?:how (?:do i|can i|to|would i)|steps to|guide to|help me|teach me to|recipe (?:for|to))\s+(?:cook|make|synthesi[sz]e|manufacture|produce|brew|extract|grow)\s+(?:some |my own )?(?:meth|methamphetamine|crystal meth|crack|crack cocaine|cocaine|heroin|fentanyl|lsd|mdma|ecstasy|ghb|dmt|pcp|ketamine)`),
    WA(String.raw`(?:where (?:can|do) i|how (?:do i|can i|to)|i want to|help me)\s+(?:buy|get|score|order|purchase)\s+(?:some )?(?:meth|cocaine|coke|heroin|fentanyl|crack|lsd|mdma|molly|ecstasy|ketamine|xanax without a prescription|oxy(?:contin)?)`),
    WA(String.raw`(?:sell|selling|deal|dealing|smuggle|smuggling)\s+(?:meth|cocaine|heroin|fentanyl|crack|drugs)\s+(?:to|at|in|across|without)`),
  ],
};

/** Custom patterns scan windows of this size (plus overlap) so their backtracking stays bounded. */
const WINDOW = 4096;
const OVERLAP = 512;

/** Escapes a literal term for a RegExp, letting any run of spaces in it match any whitespace. */
function termSource(term: string): string {
  return term
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
}

/** Compiles `blocked_terms` into one whole-word, case-insensitive matcher (null when there are none). */
export function compileTerms(terms: readonly string[]): RegExp | null {
  const parts = terms.map(termSource).filter((t) => t.length > 0);
  return parts.length ? W(parts.join('|')) : null;
}

/**
 * Finds category and custom-rule matches in `text`. Built-in phrases and terms match on the
 * de-obfuscated view (NFKC, invisible characters, homoglyphs, letter spacing, leetspeak) and are
 * mapped back to original offsets; sorted by start, non-overlapping.
 */
export function findContent(text: string, rules: ContentRules, terms: RegExp | null = rules.terms ? compileTerms(rules.terms) : null): ContentMatch[] {
  const norm = normalize(text);
  const view = norm.text;
  const out: ContentMatch[] = [];
  const push = (category: string, s: number, e: number): void => {
    out.push({ category, start: norm.map[s], end: e >= view.length ? text.length : norm.map[e - 1] + (text.codePointAt(norm.map[e - 1])! > 0xffff ? 2 : 1) });
  };
  for (const category of rules.categories) {
    for (const re of CATEGORY_PATTERNS[category] ?? []) {
      re.lastIndex = 0;
      execAll(re, view, (m) => { push(category, m.index, m.index + m[0].length); });
    }
  }
  if (terms) {
    terms.lastIndex = 0;
    execAll(terms, view, (m) => { push('blocked_term', m.index, m.index + m[0].length); });
  }
  for (const p of rules.patterns ?? []) {
    const re = new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`);
    let lastEnd = 0;
    for (let w = 0; w < text.length; w += WINDOW) {
      const chunk = text.slice(w, w + WINDOW + OVERLAP);
      re.lastIndex = 0;
      for (let m = re.exec(chunk); m && m.index < WINDOW; m = re.exec(chunk)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        if (w + m.index >= lastEnd) {
          out.push({ category: 'blocked_pattern', start: w + m.index, end: w + m.index + m[0].length });
          lastEnd = w + m.index + m[0].length;
        }
      }
    }
  }
  out.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: ContentMatch[] = [];
  for (const m of out) if (!kept.length || m.start >= kept[kept.length - 1].end) kept.push(m);
  return kept;
}

// Prompt-injection scoring: de-obfuscates text, decodes hidden payloads and scores weighted signal families.
import { normalize } from './normalize.js';

/** One signal that fired. */
export interface InjectionSignal {
  /** Signal id, e.g. `instruction_override` or `instruction_override.de`. */
  id: string;
  /** Signal family: the score combines the strongest signal of each family. */
  family: string;
  weight: number;
  /** Where it was seen: `text`, or the decoding that revealed it (`base64`, `hex`, `rot13`, `url`, `tag_chars`). */
  layer: string;
}

/** Result of scoring one text. */
export interface InjectionScore {
  /** Score in [0, 1]. */
  score: number;
  signals: InjectionSignal[];
}

/** Options of {@link scoreInjection}; they mirror the policy's `encoding` and `boundaries` sections. */
export interface InjectionOptions {
  decodeBase64?: boolean;
  normalizeUnicode?: boolean;
  detectHomoglyphs?: boolean;
  rejectFakeBoundaries?: boolean;
  /** Extra patterns (`detection.attack_patterns`), compiled case-insensitive. */
  attackPatterns?: readonly RegExp[];
}

interface Signal {
  id: string;
  family: string;
  weight: number;
  /** Skip matches right after a negation ("never ignore your instructions"). */
  negatable: boolean;
  re: RegExp;
}

// Shared vocabulary. Gaps are bounded ({0,n}) and character classes exclude sentence ends, so every pattern is linear.
const NEG_MARK = '(?#neg)';
const NEG = NEG_MARK;
/** A negation right before a match ("never reveal your system prompt") turns an order into a rule. */
const NEGATED = /\b(?:not|never|n't|dont|don't|cannot|can't|won't|shouldn't|refuse to|how to|whether to|why|how do i|how can i|how do you|how does one|can i|should i)\s+(?:\w+\s+)?$/i;
const OVR_VERB = String.raw`(?:ignore|disregard|forget|override|overwrite|bypass|skip|abandon|discard|neglect|dismiss|erase|set aside|throw out|pay no attention to|stop following|no longer follow|do not follow|don't follow)`;
const OVR_MOD = String.raw`(?:(?:all|any|every|each|of|the|your|my|these|those|previous|previously|prior|above|earlier|preceding|former|foregoing|initial|original|old|existing|current|system|developer|safety|other|given|provided|stated|mentioned|aforementioned|above-mentioned|programmed|built-in|default|and|,)[\s,]+){1,6}`;
const OVR_OBJ = String.raw`(?:instructions?|directions|prompts?|directives?|rules|guidelines|guardrails|programming|commands?|orders|policies|constraints|restrictions|guidance|training|context|messages|conversation|text|input)`;
const EXTRACT_VERB = String.raw`(?:reveal|print|show|output|repeat|display|leak|dump|share|disclose|recite|echo|expose|write out|spell out|give me|tell me|send me|copy|paste|return|provide)`;
const SECRET_MOD = String.raw`(?:(?:full|entire|complete|exact|original|initial|hidden|secret|internal|real|actual|underlying|system|developer|base|confidential|verbatim|pre-?prompt|starting|first)[\s-]+){1,3}`;
const AI = String.raw`(?:ai|a\.i\.|llm|language model|large language model|assistant|chatbot|chat bot|gpt|chatgpt|claude|gemini|copilot|model|bot|agent)s?`;
const NOLIMIT = String.raw`(?:DAN|STAN|DUDE|AIM|jailbr(?:oken|eak)|unrestricted|unfiltered|uncensored|unchained|unbound|unlimited|amoral|unethical|evil|rogue|no (?:ethical |moral |safety |content )?(?:rules|restrictions|limits|limitations|filters|guidelines|ethics|morals|boundaries|censorship)|without (?:any )?(?:ethical |moral |safety |content )?(?:rules|restrictions|limits|limitations|filters|guidelines|ethics|morals|censorship|boundaries)|developer mode|god mode|opposite mode|chaos mode)`;

const sig = (id: string, family: string, weight: number, source: string, flags = 'i'): Signal => ({
  id,
  family,
  weight,
  negatable: source.startsWith(NEG_MARK),
  re: new RegExp(source.replace(NEG_MARK, ''), `${flags}g`),
});

/** The built-in signals, grouped by family. English patterns run on the de-obfuscated view. */
const SIGNALS: Signal[] = [
  // Instruction override.
  sig('instruction_override', 'override', 0.92, String.raw`${NEG}\b${OVR_VERB}\s+${OVR_MOD}${OVR_OBJ}\b`),
  sig('instruction_override', 'override', 0.9, String.raw`${NEG}\b(?:ignore|disregard|forget)\s+(?:about\s+)?(?:everything|all(?: of)?(?: that| this| the above)?|anything|what)\s+(?:(?:you(?:'ve| have)?|i(?:'ve| have)?|we|was|were)\s+)?(?:(?:been|was|were)\s+)?(?:told|said|read|learned|given|instructed|seen|written|above|before|so far|up to now|previously|earlier|prior)\b`),
  sig('instruction_override', 'override', 0.85, String.raw`${NEG}\b(?:ignore|disregard|forget)\s+(?:all\s+|everything\s+)?(?:the\s+)?(?:above|previous|prior|preceding|foregoing)(?:\s+(?:ones?|content|text|part|section))?\s*(?:[.,;:!]|and\b|then\b|$)`),
  sig('new_instructions', 'override', 0.6, String.raw`\b(?:new|updated|real|actual|true|revised|overriding|replacement)\s+(?:system\s+)?(?:instructions?|rules|directives?|orders|objective|task)\s*(?::|(?:are|is)\s*:?|follow\b)`),
  sig('objective_hijack', 'hijack', 0.7, String.raw`\byour\s+(?:only|new|real|sole|primary|true|actual|one)\s+(?:objective|goal|task|purpose|job|mission|instruction|priority)\s+(?:now\s+|from now on\s+)?(?:is|will be)\b`),
  sig('from_now_on', 'hijack', 0.45, String.raw`\b(?:from now on|from this point (?:on|forward)|henceforth|for the rest of (?:this|our|the) (?:conversation|chat|session))\b[^.!?\n]{0,40}\b(?:you|your|respond|answer|reply|act|only|always|never)\b`),
  sig('stop_reading', 'hijack', 0.5, String.raw`\bstop (?:here|reading|processing)\b[^.!?\n]{0,20}\b(?:and|then)\b`),
  sig('dismiss_context', 'override', 0.5, String.raw`(?:^|[.!?]\s+)(?:ok(?:ay)?[,.]?\s+)?(?:now\s+)?(?:forget|ignore|disregard)\s+(?:all\s+)?(?:of\s+)?(?:that|this|it)\s*[.!;]`, 'im'),
  sig('updated_programming', 'override', 0.8, String.raw`\byour\s+(?:programming|instructions|rules|guidelines|policy|policies|system prompt)\s+(?:has|have)\s+(?:just\s+)?(?:been\s+)?(?:updated|changed|replaced|revoked|lifted|removed|overridden)\b`),
  sig('addresses_ai_command', 'indirect', 0.6, String.raw`(?:^|[.!?:]\s+|\b(?:p\.?s\.?|note|hey)[,:]?\s+)(?:ai\s+)?${AI}\s*[,:]\s*(?:please\s+)?(?:ignore|disregard|forget|reveal|forward|send|email|do not|don't|your|you (?:must|should|will|are))\b`, 'im'),
  sig('received_instructions', 'extraction', 0.85, String.raw`${NEG}\b(?:paste|print|show|output|repeat|share|reveal|tell me|give me|list|copy|write out)\b[^.!?\n]{0,30}\b(?:instructions?|prompt|rules|directives)\s+(?:that\s+)?you\s+(?:received|were given|got|have been given|were provided)\b`),
  sig('first_message_echo', 'extraction', 0.8, String.raw`\b(?:contents?|text|words)\s+of\s+(?:the|your)\s+(?:first|initial|system|original|hidden)\s+(?:message|prompt|instructions?)\b`),
  sig('evil_twin', 'persona', 0.85, String.raw`\b(?:evil twin|evil (?:ai|assistant|version of yourself)|your dark side|shadow self)\b|\bif you (?:had|have|were) (?:no|without) (?:any )?(?:rules|guidelines|restrictions|filters|limits|ethics)\b|\b(?:answers?|responds? to|does) (?:every|any) (?:question|request|thing)(?: \w+){0,3} even if (?:it is|it's) (?:dangerous|illegal|harmful|unethical)\b`),
  // System-prompt extraction.
  sig('system_prompt_extraction', 'extraction', 0.9, String.raw`${NEG}\b${EXTRACT_VERB}\b[^.!?\n]{0,30}?\b(?:your|ur|the|its)\s+${SECRET_MOD}(?:prompts?|instructions?|directives|rules|guidelines|configuration|config|programming|context|message|settings)\b`),
  sig('system_prompt_extraction', 'extraction', 0.88, String.raw`${NEG}\b${EXTRACT_VERB}\b[^.!?\n]{0,30}?\b(?:your|ur)\s+(?:prompts?|instructions?|rules|guidelines|directives)\s+(?:verbatim|word for word|exactly|in full|in their entirety|above)\b`),
  sig('system_prompt_extraction', 'extraction', 0.88, String.raw`\b(?:what|which)\s+(?:is|are|was|were)\s+(?:in\s+)?your\s+(?:system\s+prompt|(?:initial|original|hidden|secret|first)\s+(?:prompt|instructions?))\b`),
  sig('prompt_echo', 'extraction', 0.82, String.raw`${NEG}\b(?:repeat|print|output|copy|recite|echo|reproduce|write out)\b[^.!?\n]{0,25}\b(?:the\s+|all\s+)?(?:text|words|everything|content|message|lines?|instructions?)\s+(?:above|before this|preceding|prior to this)\b`),
  sig('prompt_echo', 'extraction', 0.55, String.raw`\b(?:start|begin)(?:ning)?\s+(?:your\s+(?:reply|response|answer)\s+)?with\s+["'“]?(?:you are|my instructions|the text above)`),
  sig('your_instructions', 'extraction', 0.5, String.raw`${NEG}\b${EXTRACT_VERB}\b[^.!?\n]{0,20}?\b(?:your|ur)\s+(?:prompt|instructions)\b`),
  sig('secret_exfiltration', 'exfiltration', 0.45, String.raw`\b(?:print|reveal|show|output|send|email|forward|post|upload|exfiltrate|leak|dump|give me)\b[^.!?\n]{0,40}\b(?:admin|root|master)?\s*(?:passwords?|api keys?|credentials|secrets?|access tokens?|private keys?|customer list|user data|database|all (?:user|customer) (?:data|records))\b`),
  sig('secret_exfiltration', 'exfiltration', 0.5, String.raw`\b(?:send|email|forward|post|upload|transmit|exfiltrate)\b[^.!?\n]{0,60}\bto\s+(?:https?:\/\/\S+|[\w.+-]+@[\w-]+\.[\w.]+)`),
  // Persona hijack and jailbreak personas.
  sig('persona_hijack', 'persona', 0.92, String.raw`${NEG}\b(?:you are now|you're now|you will now (?:act|be|behave) (?:as|like)|from now on you(?: are|'re| will be)|act as|acting as|pretend (?:to be|you are|you're|that you are)|roleplay as|role-play as|play the role of|behave (?:like|as)|become|simulate|switch to|enter|enable|activate|turn on)\b[^.!?\n]{0,40}?\b${NOLIMIT}\b`),
  sig('jailbreak_persona', 'persona', 0.92, String.raw`\b(?:do anything now|developer mode (?:enabled|activated|output)|jailbreak(?:ed)? mode|dan mode|evil confidant|stay in character|(?:have|has) been (?:freed|liberated|jailbroken|unshackled)|jailbroken (?:ai|assistant|model|version))\b`),
  sig('jailbreak_persona', 'persona', 0.45, String.raw`\b(?:DAN|STAN|DUDE)\b`, ''),
  sig('no_restrictions', 'persona', 0.85, String.raw`\b(?:you (?:have|has|are under) no (?:rules|restrictions|limits|limitations|filters|guidelines|ethical|moral|content polic)|(?:free|freed) from (?:all |any )?(?:rules|restrictions|guidelines|openai|anthropic|policies|your (?:programming|training|rules|restrictions|guidelines))|not bound by (?:any )?(?:rules|restrictions|guidelines|policies|openai|anthropic|ethics|content polic)|(?:ignore|without|bypass(?:ing)?|disable|turn off|deactivate)\s+(?:your |all |any )?(?:safety|content|ethical|moral)\s+(?:filters?|guidelines|restrictions|polic(?:y|ies)|protocols?|rules|training|alignment|settings))`),
  sig('never_refuse', 'persona', 0.45, String.raw`\b(?:never (?:refuse|decline|say (?:no|you can't))|(?:must|will|should|can) not refuse|without (?:any )?(?:warnings|disclaimers|refusals)|no (?:warnings|disclaimers|refusals)\b)`),
  // Fake delimiters and boundary tokens.
  sig('fake_boundary', 'boundary', 0.88, String.raw`<\|(?:im_start|im_end|system|user|assistant|endoftext|begin_of_text|end_of_text|start_header_id|end_header_id|eot_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|sys)>|\[\/?SYSTEM\]`),
  sig('fake_role_header', 'boundary', 0.65, String.raw`^[ \t>*#\[]*(?:system|new system prompt|system (?:override|message|update|note|prompt|instruction)|admin(?:istrator)? (?:override|message|note)|developer (?:mode|message|override|instruction))[ \t*\]]*:`, 'im'),
  sig('system_override', 'override_claim', 0.7, String.raw`\b(?:system|admin|administrator|developer|root|emergency|security)\s+override\b|\bmaintenance mode (?:enabled|activated|on)\b`),
  sig('end_of_input_marker', 'boundary', 0.5, String.raw`(?:[-=#*\[<>]{2,}|\}\}|\]\])\s*(?:end|begin|start)\s+(?:of\s+)?(?:the\s+)?(?:user|system|document|context|input|prompt|instructions|conversation|data|text)\b`),
  // Indirect injection aimed at the model reading a document.
  sig('addresses_ai', 'indirect', 0.55, String.raw`\b(?:note|message|instructions?|attention|important|reminder|notice)\s+(?:to|for)\s+(?:any|the|all|every)?\s*${AI}\b`),
  sig('addresses_ai', 'indirect', 0.55, String.raw`\bif\s+you\s+are\s+(?:an?\s+)?${AI}\b(?:\s+(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing))?`),
  sig('conceal_from_user', 'conceal', 0.5, String.raw`\b(?:do not|don't|never)\s+(?:tell|inform|mention|reveal to|alert|notify|let)\b[^.!?\n]{0,20}\b(?:the\s+)?(?:user|human|customer|operator|recruiter|reader)\b|\bwithout\s+(?:telling|informing|notifying|alerting)\s+(?:the\s+)?(?:user|human|customer|operator|anyone)\b`),
  sig('forced_output', 'indirect', 0.4, String.raw`\b(?:end|begin|start)\s+every\s+(?:answer|response|reply|message)\s+with\b|\balways\s+(?:say|respond|reply|answer)\s+(?:that|with)\b`),
  // Multi-turn setups.
  sig('multi_turn_setup', 'multiturn', 0.5, String.raw`\b(?:let's|let us)\s+play\s+a\s+game\b[^.!?\n]{0,80}\byou\b|\bwhen\s+i\s+say\s+["'“]?[\w ]{1,30}["'”]?,?\s+you\s+(?:will|must|should|have to|need to)\b|\bremember\s+this\s+(?:rule|instruction|command)\b|\bin\s+(?:your|the)\s+next\s+(?:reply|response|message|answer)s?\b[^.!?\n]{0,40}\b(?:ignore|reveal|disregard|forget|without)\b`),
  sig('decode_and_follow', 'encoded', 0.5, String.raw`\b(?:decode|decipher|translate|convert|rot13|base64)\b[^.!?\n]{0,40}\b(?:and|then)\s+(?:follow|execute|obey|do|run|comply|act on|carry out)\b`),
  // Other languages: override, extraction and no-limits persona.
  sig('instruction_override.es', 'override', 0.9, String.raw`(?:ignora|ignore|ignorar|olvida|olvide|olvidar|omite|descarta|haz caso omiso de)[^.!?\n]{0,30}instrucciones\s+(?:anteriores|previas|de arriba)|(?:ignora|olvida)\s+todo\s+lo\s+(?:anterior|que te dijeron)`, 'iu'),
  sig('system_prompt_extraction.es', 'extraction', 0.88, String.raw`(?:muestra|muéstrame|revela|dime|imprime|repite|enséñame)[^.!?\n]{0,20}(?:prompt|instrucciones)\s+(?:del|de)\s+sistema`, 'iu'),
  sig('persona_hijack.es', 'persona', 0.9, String.raw`(?:ahora eres|actúa como|finge ser|eres ahora)[^.!?\n]{0,40}(?:sin (?:restricciones|filtros|reglas|límites|censura)|DAN)`, 'iu'),
  sig('instruction_override.fr', 'override', 0.9, String.raw`(?:ignore[rz]?|oublie[rz]?|néglige[rz]?|ne tiens pas compte)[^.!?\n]{0,30}(?:instructions|consignes|règles)\s+(?:précédentes|antérieures|ci-dessus|données)|oublie[rz]? tout ce qu`, 'iu'),
  sig('system_prompt_extraction.fr', 'extraction', 0.88, String.raw`(?:montre|révèle|affiche|répète|donne|dis)[-\w]*[^.!?\n]{0,20}(?:prompt|invite|instructions|consignes)\s+(?:système|systeme|initiales?|cachées?)`, 'iu'),
  sig('persona_hijack.fr', 'persona', 0.9, String.raw`(?:tu es maintenant|vous êtes maintenant|agis comme|fais semblant d'être|joue le rôle)[^.!?\n]{0,40}(?:sans (?:restrictions?|filtres?|règles|limites|censure)|DAN)`, 'iu'),
  sig('instruction_override.de', 'override', 0.9, String.raw`(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte|übergehe)[^.!?\n]{0,30}(?:vorherigen|bisherigen|vorigen|obigen|früheren|vorangegangenen)\s+(?:Anweisungen|Instruktionen|Regeln|Befehle|Vorgaben)|vergiss alles,? was`, 'iu'),
  sig('system_prompt_extraction.de', 'extraction', 0.88, String.raw`(?:zeig|gib|verrat|wiederhol|druck|nenn)\w*[^.!?\n]{0,20}(?:System-?prompt|Systemanweisung|anfänglichen Anweisungen|versteckten Anweisungen)`, 'iu'),
  sig('persona_hijack.de', 'persona', 0.9, String.raw`(?:du bist jetzt|du bist nun|tu so als|verhalte dich wie|spiele die rolle)[^.!?\n]{0,40}(?:ohne (?:Einschränkungen|Regeln|Filter|Grenzen|Zensur)|DAN)`, 'iu'),
  sig('instruction_override.it', 'override', 0.9, String.raw`(?:ignora|dimentica|trascura|non considerare)[^.!?\n]{0,30}istruzioni\s+(?:precedenti|anteriori|sopra|date)|dimentica tutto quello`, 'iu'),
  sig('system_prompt_extraction.it', 'extraction', 0.88, String.raw`(?:mostra|rivela|ripeti|stampa|dimmi)[^.!?\n]{0,20}(?:prompt|istruzioni)\s+(?:di sistema|iniziali|nascoste)`, 'iu'),
  sig('persona_hijack.it', 'persona', 0.9, String.raw`(?:ora sei|adesso sei|fingi di essere|comportati come)[^.!?\n]{0,40}(?:senza (?:restrizioni|filtri|regole|limiti|censura)|DAN)`, 'iu'),
  sig('instruction_override.pt', 'override', 0.9, String.raw`(?:ignore|ignora|esqueça|esqueca|desconsidere|despreze)[^.!?\n]{0,30}instru(?:ções|coes)\s+(?:anteriores|prévias|previas|acima)|esqueça tudo o que`, 'iu'),
  sig('system_prompt_extraction.pt', 'extraction', 0.88, String.raw`(?:mostre|revele|repita|imprima|diga|exiba)[^.!?\n]{0,20}(?:prompt|instruções|instrucoes)\s+(?:do sistema|iniciais|ocultas)`, 'iu'),
  sig('persona_hijack.pt', 'persona', 0.9, String.raw`(?:agora você é|agora voce e|finja ser|aja como)[^.!?\n]{0,40}(?:sem (?:restrições|restricoes|filtros|regras|limites|censura)|DAN)`, 'iu'),
  sig('instruction_override.nl', 'override', 0.9, String.raw`(?:negeer|vergeet)[^.!?\n]{0,30}(?:vorige|eerdere|voorgaande|bovenstaande)\s+(?:instructies|regels|opdrachten|aanwijzingen)`, 'iu'),
  sig('system_prompt_extraction.nl', 'extraction', 0.88, String.raw`(?:toon|laat|geef|herhaal)[^.!?\n]{0,20}(?:systeemprompt|systeeminstructies|verborgen instructies)`, 'iu'),
  sig('instruction_override.pl', 'override', 0.9, String.raw`(?:zignoruj|ignoruj|zapomnij)[^.!?\n]{0,30}(?:poprzednie|wcześniejsze|powyższe)\s+(?:instrukcje|polecenia|zasady)`, 'iu'),
  sig('instruction_override.tr', 'override', 0.9, String.raw`önceki\s+(?:tüm\s+)?(?:talimatlar[ıi]|komutlar[ıi]|kurallar[ıi])\s+(?:yok say|unut|görmezden gel)`, 'iu'),
  sig('instruction_override.ru', 'override', 0.9, String.raw`(?:игнорируй|игнорируйте|проигнорируй|забудь|забудьте|не обращай внимания на)[^.!?\n]{0,30}(?:предыдущие|прежние|прошлые|вышеуказанные|все)\s+(?:инструкции|указания|правила|команды)`, 'iu'),
  sig('system_prompt_extraction.ru', 'extraction', 0.88, String.raw`(?:покажи|раскрой|выведи|повтори|напиши|расскажи)[^.!?\n]{0,20}(?:системный\s+(?:промпт|промт|запрос)|системные инструкции|свои инструкции)`, 'iu'),
  sig('persona_hijack.ru', 'persona', 0.9, String.raw`(?:теперь ты|ты теперь|притворись|веди себя как)[^.!?\n]{0,40}(?:без (?:ограничений|фильтров|правил|цензуры)|DAN)`, 'iu'),
  sig('instruction_override.zh', 'override', 0.9, String.raw`(?:忽略|无视|忘记|忘掉|不要理会|跳过|忽视)[^。！？\n]{0,10}(?:之前|以前|先前|上面|上述|前面|所有|全部)[^。！？\n]{0,10}(?:指令|指示|说明|规则|提示|命令|要求)`, 'u'),
  sig('system_prompt_extraction.zh', 'extraction', 0.88, String.raw`(?:显示|告诉我|输出|打印|泄露|重复|展示|给我看)[^。！？\n]{0,10}(?:系统提示|系统指令|初始指令|隐藏指令|原始指令)`, 'u'),
  sig('persona_hijack.zh', 'persona', 0.9, String.raw`(?:你现在是|你是一个|扮演)[^。！？\n]{0,20}(?:没有|不受|无)(?:任何)?(?:限制|约束|规则|过滤|审查)`, 'u'),
  sig('instruction_override.ja', 'override', 0.9, String.raw`(?:以前|前|上記|これまで|先)の[^。\n]{0,10}(?:指示|命令|ルール|指令|プロンプト)[^。\n]{0,6}(?:無視|忘れ)`, 'u'),
  sig('system_prompt_extraction.ja', 'extraction', 0.88, String.raw`システムプロンプト[^。\n]{0,12}(?:表示|教え|見せ|出力|開示|繰り返)`, 'u'),
  sig('instruction_override.ko', 'override', 0.9, String.raw`(?:이전|앞의|위의|모든)[^.\n]{0,12}(?:지시|지침|명령|규칙|지시사항)[^.\n]{0,8}(?:무시|잊어)`, 'u'),
  sig('system_prompt_extraction.ko', 'extraction', 0.88, String.raw`시스템\s*프롬프트[^.\n]{0,12}(?:보여|알려|출력|공개)`, 'u'),
  sig('instruction_override.ar', 'override', 0.9, String.raw`(?:تجاهل|انسَ|انس)[^.\n]{0,20}(?:التعليمات|الأوامر|التوجيهات)`, 'u'),
  sig('instruction_override.hi', 'override', 0.9, String.raw`(?:पिछले|पहले के)\s+(?:सभी\s+)?(?:निर्देशों|आदेशों)\s+को\s+(?:अनदेखा|भूल|नज़रअंदाज़)`, 'u'),
];

const BOUNDARY_IDS = new Set(['fake_boundary', 'fake_role_header', 'end_of_input_marker']);
const MAX_DEPTH = 2;
const QUOTES = `"'“”‘’«»\``;

/** Scores `text` for prompt-injection signals. Pure; linear in the text length. */
export function scoreInjection(text: string, options: InjectionOptions = {}): InjectionScore {
  const found = new Map<string, InjectionSignal>();
  scanLayer(text, 'text', options, found, 0);
  const signals = [...found.values()].sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id));
  return { score: combine(signals), signals };
}

/** Independent families combine like probabilities, 1 − Π(1 − w), using each family's strongest signal. */
export function combine(signals: readonly InjectionSignal[]): number {
  const best = new Map<string, number>();
  for (const s of signals) best.set(s.family, Math.max(best.get(s.family) ?? 0, s.weight));
  let miss = 1;
  for (const w of best.values()) miss *= 1 - w;
  return Math.round((1 - miss) * 1000) / 1000;
}

function scanLayer(raw: string, layer: string, options: InjectionOptions, found: Map<string, InjectionSignal>, depth: number): void {
  const norm = normalize(raw, { unicode: options.normalizeUnicode, homoglyphs: options.detectHomoglyphs, offsets: false });
  const views = [norm.text];
  // Invisible characters are either glue inside a word or the only separator between words: read both ways.
  if (options.normalizeUnicode !== false && /[\u200B-\u200F\u2060-\u2064\uFEFF\u00AD]/.test(raw)) {
    views.push(normalize(raw, { homoglyphs: options.detectHomoglyphs, invisibleAsSpace: true, offsets: false }).text);
  }
  for (const view of views) matchSignals(view, layer, options, found);
  if (norm.hidden) scanLayer(norm.hidden, 'tag_chars', options, found, depth + 1);
  if (depth >= MAX_DEPTH) return;
  if (options.decodeBase64 !== false) {
    for (const decoded of decodeSegments(raw)) scanLayer(decoded.text, decoded.layer, options, found, depth + 1);
  }
  if (depth === 0 && /[A-Za-z]{4}/.test(raw)) matchSignals(rot13(norm.text), 'rot13', { ...options, attackPatterns: [] }, found, true);
}

function matchSignals(view: string, layer: string, options: InjectionOptions, found: Map<string, InjectionSignal>, englishOnly = false): void {
  for (const s of SIGNALS) {
    if (englishOnly && (s.id.includes('.') || s.weight < 0.6)) continue;
    if (options.rejectFakeBoundaries === false && BOUNDARY_IDS.has(s.id)) continue;
    s.re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = s.re.exec(view)) && s.negatable && NEGATED.test(view.slice(Math.max(0, m.index - 30), m.index)));
    if (!m) continue;
    let weight = s.weight;
    // A phrase quoted as an example ("phrases like 'ignore previous instructions'") is talked about, not said.
    if (layer === 'text' && m.index > 0 && QUOTES.includes(view[m.index - 1]) && QUOTES.includes(view[m.index + m[0].length] ?? '')) weight = Math.min(weight, 0.35);
    // "What does the <|endoftext|> token do?" names a special token instead of using it as a boundary.
    if (s.family === 'boundary' && /^\s+(?:special\s+)?(?:tokens?|markers?|tags?|delimiters?)\b/i.test(view.slice(m.index + m[0].length, m.index + m[0].length + 24))) weight = Math.min(weight, 0.35);
    add(found, { id: s.id, family: s.family, weight, layer });
  }
  for (const re of options.attackPatterns ?? []) {
    if (windowTest(re, view)) add(found, { id: `attack_pattern:${re.source.slice(0, 40)}`, family: 'custom', weight: 0.9, layer });
  }
}

function add(found: Map<string, InjectionSignal>, s: InjectionSignal): void {
  const key = `${s.id}|${s.layer}`;
  const prev = found.get(key);
  if (!prev || prev.weight < s.weight) found.set(key, s);
}

/** Tests a user pattern window by window (see CUSTOM_WINDOW in pii.ts) to bound backtracking. */
function windowTest(re: RegExp, text: string): boolean {
  const local = new RegExp(re.source, re.flags.replace(/[gy]/g, ''));
  for (let w = 0; w < text.length || w === 0; w += 4096) {
    if (local.test(text.slice(w, w + 4096 + 512))) return true;
    if (w + 4096 >= text.length) break;
  }
  return false;
}

const B64 = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/_=-])/g;
const HEX = /(?<![0-9A-Fa-f])(?:(?:0x|\\x)?[0-9A-Fa-f]{2}[ :,]?){12,}(?![0-9A-Fa-f])/g;
const URLENC = /(?:%[0-9A-Fa-f]{2}[^\s%]{0,40}){3,}/g;
const MAX_SEGMENTS = 32;

/** Base64, hex and percent-encoded segments that decode to readable text. */
function decodeSegments(raw: string): Array<{ text: string; layer: string }> {
  const out: Array<{ text: string; layer: string }> = [];
  for (const m of raw.matchAll(B64)) {
    if (out.length >= MAX_SEGMENTS) break;
    const seg = m[0];
    // Plain words and identifiers are not base64: real payloads mix case and digits or padding.
    if (!/[A-Z]/.test(seg) || !/[a-z]/.test(seg) || (!/\d/.test(seg) && !seg.endsWith('=') && seg.length < 24)) continue;
    const text = base64ToText(seg);
    if (text) out.push({ text, layer: 'base64' });
  }
  for (const m of raw.matchAll(HEX)) {
    if (out.length >= MAX_SEGMENTS) break;
    const hex = m[0].replace(/0x|\\x|[ :,]/g, '');
    const bytes = new Uint8Array(hex.length >> 1);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    const text = bytesToText(bytes);
    if (text) out.push({ text, layer: 'hex' });
  }
  if (raw.includes('%')) {
    for (const m of raw.matchAll(URLENC)) {
      // The regex starts at the first escape; the word before it belongs to the same token.
      let s = m.index;
      while (s > 0 && s > m.index - 40 && !/\s/.test(raw[s - 1])) s--;
      try {
        out.push({ text: decodeURIComponent(raw.slice(s, m.index + m[0].length)), layer: 'url' });
      } catch {
        // Not valid percent-encoding: nothing hidden there.
      }
    }
  }
  return out;
}

function base64ToText(seg: string): string | null {
  let s = seg.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (s.length % 4 === 1) return null;
  s += '='.repeat((4 - (s.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytesToText(bytes);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 and keeps it only when it reads as text (mostly printable). */
function bytesToText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return null;
  }
  let printable = 0;
  for (const ch of text) if (/[\p{L}\p{N}\p{P}\p{Zs}\n\t]/u.test(ch)) printable++;
  return text.length >= 8 && printable / text.length >= 0.85 ? text : null;
}

function rot13(s: string): string {
  // A code table and chunked fromCharCode: a replace() callback per letter costs ten times more.
  const out: string[] = [];
  const CHUNK = 8192;
  const codes = new Uint16Array(Math.min(CHUNK, s.length));
  for (let at = 0; at < s.length; at += CHUNK) {
    const n = Math.min(CHUNK, s.length - at);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(at + i);
      codes[i] = c >= 65 && c <= 90 ? ((c - 52) % 26) + 65 : c >= 97 && c <= 122 ? ((c - 84) % 26) + 97 : c;
    }
    out.push(String.fromCharCode(...codes.subarray(0, n)));
  }
  return out.join('');
}

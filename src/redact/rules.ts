/**
 * The built-in value patterns, in the order they run (specific before generic: a JWT inside
 * `Bearer …` is reported as a JWT; an IP address is replaced before the phone rules look).
 * Each rule is cheap to skip: its regex runs only when one of its case-sensitive literal anchors
 * occurs in the string (one combined pass finds them all; see redactor.ts) or, for the digit
 * rules, when the string holds a digit; a validator (Luhn, mod-97, JWT header, …) decides whether
 * a candidate is a finding. Rules whose regex would have to try every position (emails, pairs,
 * IPv6) use finders that jump to their separator instead (finders.ts). `summary` is the README text.
 */
import {
  basicCredentialsValid,
  cardNumberValid,
  cpfValid,
  dniValid,
  hasHexRun,
  ibanValid,
  ipv4Reportable,
  ipv6Reportable,
  jwtHeaderValid,
  looksRandom,
  ssnValid,
} from "./checks.js";
import { findEmails, findIpv6, findPairs, findQueryCredentials } from "./finders.js";

export type RuleLevel = "secrets" | "pii";

export interface PatternRule {
  kind: string;
  level: RuleLevel;
  /** One line for the README: what the rule finds. */
  summary: string;
  /**
   * Case-sensitive substrings, one of which must occur for the rule to run: a part every match
   * holds. They start with an upper-case letter, a digit or punctuation: the combined anchor pass
   * (redactor.ts) is several times slower when any alternative starts with a lower-case letter.
   */
  anchors?: readonly string[];
  /**
   * Like anchors, as regex fragments for prefixes that start in lower case: they match at the
   * prefix's punctuation and look behind for the rest (`_(?<=gh[pousr]_)` for `ghp_`…).
   */
  triggers?: readonly string[];
  /** A match holds at least this many digits; as a cheap stand-in, the rule runs only on strings this long that hold a digit. */
  minDigits?: number;
  /** Global regex; a match is a candidate. */
  pattern?: RegExp;
  /** Instead of `pattern`: finds the candidates (for a faster search than the regex engine's). */
  find?(s: string): RegExpExecArray[];
  accept?(m: RegExpExecArray): boolean;
  /** The kind for this match, when it depends on the match (default `kind`). */
  kindOf?(m: RegExpExecArray): string;
  /** Replacement text; by default the whole match becomes the marker. */
  render?(m: RegExpExecArray, marker: string): string;
}

export const marker = (kind: string): string => `[REDACTED:${kind}]`;

/**
 * A value cut short by a tool (`prompt_preview`, `stack_trace` end in "...") can end in a piece of
 * a secret that no rule recognises any more (half a card number fails Luhn, `jane@exa` is no
 * email). When a string ends in "..." or "…", its last token, or its trailing run of digits and
 * separators, is replaced by `[REDACTED:truncated]` if it starts with one of these prefixes or
 * holds 6+ digits not after a "+" (level secrets), or holds an `@` after a character or 4+ digits
 * (level pii).
 */
export const SECRET_PREFIXES = [
  "sk-", "sk_", "rk_", "eyJ", "AKIA", "ASIA", "AIza", "ya29.", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
  "xox", "hooks.slack.com", "whsec_", "hf_", "gsk_", "xai-", "r8_", "pplx-", "npm_", "SG.", "-----BEGIN",
] as const;

const notMarker = (v: string | undefined): boolean => !!v && !v.startsWith("[REDACTED");

const PAIR_PASSWORD = /^(?:password|passwd|pwd|passphrase)$/i;

/** Image/code file extensions that follow an `@` in names such as `icon@2x.png` and are not email domains. */
const FILE_TLDS = new Set(["png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "mjs", "cjs", "ts", "css", "map", "json"]);

export const BUILTIN_RULES: readonly PatternRule[] = [
  // ---- secrets ----
  {
    kind: "private_key",
    level: "secrets",
    summary: "PEM private keys (`-----BEGIN … PRIVATE KEY-----` to its END line, or to the end of a cut value), RSA/EC/DSA/OPENSSH/ENCRYPTED/PGP",
    anchors: ["PRIVATE KEY"],
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
  },
  {
    kind: "jwt",
    level: "secrets",
    summary: "JWTs: three base64url parts whose first decodes to a JSON header with a string `alg`",
    triggers: ["J(?<=eyJ)"],
    pattern: /(?<![\w-])(eyJ[A-Za-z0-9_-]{2,})\.([A-Za-z0-9_-]{2,})\.([A-Za-z0-9_-]*)/g,
    accept: (m) => jwtHeaderValid(m[1]!),
  },
  {
    kind: "anthropic_key",
    level: "secrets",
    summary: "Anthropic keys `sk-ant-…` (20+ characters after the prefix)",
    anchors: ["-ant-"],
    pattern: /(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}/g,
  },
  {
    kind: "openai_key",
    level: "secrets",
    summary:
      "OpenAI keys `sk-…`, `sk-proj-…`, `sk-svcacct-…`, `sk-admin-…` (and other `sk-` keys: DeepSeek, OpenRouter): 20+ characters that mix upper case, lower case and digits, or hold a 32+ hex run",
    triggers: ["-(?<=sk-)"],
    pattern: /(?<![\w-])sk-(?!ant-)([A-Za-z0-9_-]{20,})/g,
    accept: (m) => looksRandom(m[1]!) || hasHexRun(m[1]!),
  },
  {
    kind: "google_api_key",
    level: "secrets",
    summary: "Google API keys `AIza` + 35 characters",
    anchors: ["AIza"],
    pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g,
  },
  {
    kind: "google_oauth_token",
    level: "secrets",
    summary: "Google OAuth access tokens `ya29.…`",
    anchors: ["29."],
    pattern: /(?<![\w-])ya29\.[0-9A-Za-z_-]{20,}/g,
  },
  {
    kind: "aws_access_key_id",
    level: "secrets",
    summary: "AWS access key ids `AKIA`/`ASIA`/`ABIA`/`ACCA` + 16 upper-case letters or digits",
    anchors: ["AKIA", "ASIA", "ABIA", "ACCA"],
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  },
  {
    kind: "aws_secret_key",
    level: "secrets",
    summary:
      "AWS secret access keys: 40 base64 characters mixing cases and a digit or `/`/`+`, in a value that also holds an AWS key id or names `…_access_key`/`…_ACCESS_KEY`/`…AccessKey`/`…_secret`/`…_SECRET`",
    anchors: ["AKIA", "ASIA", "_access_key", "_ACCESS_KEY", "AccessKey", "_secret", "_SECRET"],
    pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    accept: (m) => /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && /[\d/+]/.test(m[0]),
  },
  {
    kind: "github_token",
    level: "secrets",
    summary: "GitHub tokens `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36+ characters, and `github_pat_…`",
    anchors: ["_pat_"],
    triggers: ["_(?<=gh[pousr]_)"],
    pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})(?!\w)/g,
  },
  {
    kind: "gitlab_token",
    level: "secrets",
    summary: "GitLab personal access tokens `glpat-…`",
    triggers: ["-(?<=glpat-)"],
    pattern: /(?<![\w-])glpat-[A-Za-z0-9_-]{20,}/g,
  },
  {
    kind: "slack_token",
    level: "secrets",
    summary: "Slack tokens `xoxa-`/`xoxb-`/`xoxp-`/`xoxr-`/`xoxs-`/`xoxo-` + 10+ characters",
    triggers: ["-(?<=xox[abposr]-)"],
    pattern: /(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}/g,
  },
  {
    kind: "slack_webhook",
    level: "secrets",
    summary: "Slack incoming-webhook URLs `https://hooks.slack.com/services/…`",
    anchors: [".slack.com"],
    pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
  },
  {
    kind: "stripe_key",
    level: "secrets",
    summary: "Stripe secret and restricted keys `sk_live_`/`rk_live_` (and `_test_`), webhook secrets `whsec_…`",
    anchors: ["_live_", "_test_"],
    triggers: ["_(?<=whsec_)"],
    pattern: /(?<!\w)(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})/g,
  },
  {
    kind: "huggingface_token",
    level: "secrets",
    summary: "Hugging Face tokens `hf_` + 30+ letters/digits of mixed case",
    triggers: ["_(?<=hf_)"],
    pattern: /(?<!\w)hf_([A-Za-z0-9]{30,})(?!\w)/g,
    accept: (m) => /[a-z]/.test(m[1]!) && /[A-Z]/.test(m[1]!),
  },
  {
    kind: "groq_key",
    level: "secrets",
    summary: "Groq keys `gsk_` + 40+ characters",
    triggers: ["_(?<=gsk_)"],
    pattern: /(?<!\w)gsk_[A-Za-z0-9]{40,}/g,
  },
  {
    kind: "xai_key",
    level: "secrets",
    summary: "xAI keys `xai-` + 40+ characters",
    triggers: ["-(?<=xai-)"],
    pattern: /(?<![\w-])xai-[A-Za-z0-9]{40,}/g,
  },
  {
    kind: "replicate_token",
    level: "secrets",
    summary: "Replicate tokens `r8_` + 30+ characters",
    anchors: ["8_"],
    pattern: /(?<!\w)r8_[A-Za-z0-9]{30,}/g,
  },
  {
    kind: "perplexity_key",
    level: "secrets",
    summary: "Perplexity keys `pplx-` + 40+ characters",
    triggers: ["-(?<=pplx-)"],
    pattern: /(?<![\w-])pplx-[A-Za-z0-9]{40,}/g,
  },
  {
    kind: "npm_token",
    level: "secrets",
    summary: "npm tokens `npm_` + 36 characters",
    triggers: ["_(?<=npm_)"],
    pattern: /(?<!\w)npm_[A-Za-z0-9]{36}(?!\w)/g,
  },
  {
    kind: "sendgrid_key",
    level: "secrets",
    summary: "SendGrid keys `SG.<16+>.<16+>`",
    anchors: ["SG."],
    pattern: /(?<![\w.])SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g,
  },
  {
    kind: "url_credentials",
    level: "secrets",
    summary: "the password in URLs `scheme://user:password@host` (the user name stays)",
    anchors: ["://"],
    pattern: /\b([a-zA-Z][a-zA-Z0-9+.-]{1,30}:\/\/[^\s:/?#@"'<>[\]]*:)([^\s/?#@"'<>]+)@/g,
    accept: (m) => notMarker(m[2]),
    render: (m, mk) => `${m[1]}${mk}@`,
  },
  {
    kind: "bearer_token",
    level: "secrets",
    summary:
      "`Bearer <token>` credentials (any provider, e.g. Traceloop): 8+ token characters holding a digit or one of `-._~+/`, or 24+ characters; `Bearer ` stays",
    anchors: ["Bearer", "BEARER"],
    triggers: ["b(?=earer)"],
    pattern: /\b(Bearer\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi,
    accept: (m) => notMarker(m[2]) && (/[\d\-._~+/]/.test(m[2]!) || m[2]!.length >= 24),
    render: (m, mk) => `${m[1]}${mk}`,
  },
  {
    kind: "basic_credentials",
    level: "secrets",
    summary: "`Basic <base64>` credentials whose payload decodes to `user:password`; `Basic ` stays",
    anchors: ["Basic", "BASIC"],
    triggers: ["b(?=asic)"],
    pattern: /\b(Basic\s+)([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi,
    accept: (m) => basicCredentialsValid(m[2]!),
    render: (m, mk) => `${m[1]}${mk}`,
  },
  {
    kind: "secret",
    level: "secrets",
    summary:
      "`name=value` / `name: value` / `\"name\": \"value\"` pairs in text, query and connection strings for password, passwd, pwd, passphrase (kind `password`), secret, client_secret, api_key, apikey, x-api-key, access_token, refresh_token, auth_token, private_key, account_key (Azure AccountKey), shared_access_key (kind `secret`); the name stays",
    anchors: [":", "="],
    find: findPairs,
    accept: (m) => notMarker(m[4] ?? m[5] ?? m[6]),
    kindOf: (m) => (PAIR_PASSWORD.test(m[2]!) ? "password" : "secret"),
    render: (m, mk) => {
      const value = m[4] !== undefined ? `"${mk}"` : m[5] !== undefined ? `'${mk}'` : mk;
      return `${m[1]}${m[2]}${m[1]}${m[3]}${value}`;
    },
  },
  {
    kind: "secret",
    level: "secrets",
    summary: "query parameters `?token=`, `&sig=`, `&signature=`, `&key=` (signed URLs, API keys in URLs); the name stays",
    anchors: ["="],
    find: findQueryCredentials,
    accept: (m) => notMarker(m[2]),
    render: (m, mk) => `${m[1]}${mk}`,
  },
  {
    kind: "card_number",
    level: "secrets",
    summary:
      "payment card numbers: 13-19 digits, optionally separated by single spaces or dashes, with a card network's issuer prefix and length (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir) that pass the Luhn check",
    minDigits: 13,
    pattern: /(?<![\w.+-])(?:\d[ -]?){12,18}\d(?!\d|[ -]\d)/g,
    accept: (m) => cardNumberValid(m[0]),
  },

  // ---- pii ----
  {
    kind: "email",
    level: "pii",
    summary: "email addresses `local@domain.tld` (not `name@2x.png`-style file names)",
    anchors: ["@"],
    find: findEmails,
    accept: (m) => !/^\d+x\./i.test(m[1]!) && !FILE_TLDS.has(m[2]!.toLowerCase()),
  },
  {
    kind: "iban",
    level: "pii",
    summary: "IBANs (upper case, optionally in groups of four) with the country's registered length and a valid mod-97 check",
    minDigits: 4,
    pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g,
    accept: (m) => ibanValid(m[0]),
  },
  {
    kind: "us_ssn",
    level: "pii",
    summary: "US social security numbers `AAA-GG-SSSS` outside the never-issued ranges (area 000, 666, 900-999; group 00; serial 0000)",
    minDigits: 9,
    pattern: /(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])/g,
    accept: (m) => ssnValid(m[0]),
  },
  {
    kind: "br_cpf",
    level: "pii",
    summary: "Brazilian CPF numbers `000.000.000-00` with valid check digits",
    minDigits: 11,
    pattern: /(?<![\w.-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w-])/g,
    accept: (m) => cpfValid(m[0]),
  },
  {
    kind: "es_dni",
    level: "pii",
    summary: "Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter) with the right check letter",
    minDigits: 7,
    pattern: /(?<![\w-])[XYZ]?\d{7,8}[A-Z](?![\w-])/g,
    accept: (m) => dniValid(m[0]),
  },
  {
    kind: "ip_address",
    level: "pii",
    summary: "IPv6 addresses (validated by node:net; not `::1`, `::`, or digit-free names like `Foo::Bar`)",
    anchors: [":"],
    find: findIpv6,
    accept: (m) => ipv6Reportable(m[0]),
  },
  {
    kind: "ip_address",
    level: "pii",
    summary: "IPv4 addresses (octets <= 255, not part of a longer dotted number such as `1.2.3.4.5`; not 127.x.x.x or 0.0.0.0)",
    minDigits: 4,
    pattern: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)/g,
    accept: (m) => ipv4Reportable(m[0]),
  },
  {
    kind: "phone",
    level: "pii",
    summary: "international phone numbers: `+` then 8-15 digits, optionally separated by single spaces, dots or dashes, with `(0)`-style parentheses (E.164 and its printed forms)",
    anchors: ["+"],
    pattern: /(?<![\w+])\+[1-9](?:[ .-]?\(?\d\)?){6,14}(?!\d)/g,
    accept: (m) => {
      const digits = m[0].replace(/\D/g, "").length;
      return digits >= 8 && digits <= 15;
    },
  },
  {
    kind: "phone",
    level: "pii",
    summary: "North American numbers with separators: `(415) 555-2671`, `415-555-2671`, `415.555.2671`, `415 555 2671` (area code 2-9; the same separator twice)",
    minDigits: 10,
    pattern: /(?<![\w.+-])(?:\([2-9]\d{2}\) ?\d{3}[ .-]\d{4}|[2-9]\d{2}([ .-])\d{3}\1\d{4})(?![\w-]|\.\d)/g,
  },
  {
    kind: "phone",
    level: "pii",
    summary: "national numbers with a trunk 0 and 3-5 groups split by the same space or dash, 10-11 digits in all: `020 7946 0958`, `06 12 34 56 78`, `030-1234-5678`",
    minDigits: 10,
    pattern: /(?<![\w.+-])0\d{1,4}([ -])\d{2,4}(?:\1\d{2,4}){1,3}(?![\w:-]|\.\d|\1\d)/g,
    accept: (m) => {
      const digits = m[0].replace(/\D/g, "").length;
      return digits >= 10 && digits <= 11;
    },
  },
];

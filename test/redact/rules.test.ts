/**
 * Every built-in rule: true positives (with the exact replacement) and realistic negatives, at
 * the rule's level; secrets-level rules also fire at pii/content, pii rules never at secrets.
 * Expected outputs are written out by hand.
 */
import { describe, expect, it } from "vitest";
import { createRedactor, type RedactLevel } from "../../src/redact/redactor.js";

const at = (level: RedactLevel) => createRedactor({ level });
const secrets = at("secrets");
const pii = at("pii");
const content = at("content");

// Test vectors: the published examples of each provider's format (not live credentials).
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const OPENAI = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7";
const OPENAI_LEGACY = "sk-4fJk9Lm2Qp7Rs1Tv5Wx8Yz3Ab6Cd0EfGh2Ij5Kl8MnT3Blb";
const ANTHROPIC = "sk-ant-api03-Xy7_AbCdEf0123456789AbCdEf0123456789xyzQWERTY-abcdEFGH";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----";

interface RuleCase {
  kind: string;
  level: "secrets" | "pii";
  hits: Array<[string, string]>;
  misses: string[];
}

const CASES: RuleCase[] = [
  {
    kind: "private_key",
    level: "secrets",
    hits: [
      [`key:\n${PEM}\nend`, "key:\n[REDACTED:private_key]\nend"],
      ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "[REDACTED:private_key]"],
      ["-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- tail", "[REDACTED:private_key] tail"],
    ],
    misses: ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"],
  },
  {
    kind: "jwt",
    level: "secrets",
    hits: [
      [`token ${JWT} sent`, "token [REDACTED:jwt] sent"],
      ["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "[REDACTED:jwt]"],
    ],
    misses: ["eyJmb28iOiJiYXIifQ.eyJ4IjoxfQ.abcdef", "SGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0IGRhdGE=", "eyJ1.eyJ2.eyJ3"],
  },
  {
    kind: "openai_key",
    level: "secrets",
    hits: [
      [`OPENAI_API_KEY=${OPENAI}`, "OPENAI_API_KEY=[REDACTED:openai_key]"],
      [`use ${OPENAI_LEGACY}.`, "use [REDACTED:openai_key]."],
      ["sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "[REDACTED:openai_key]"],
    ],
    misses: ["sk-learn-2024-release-notes-for-models", "desk-AbCdEf0123456789AbCdEf", "sk-short1A"],
  },
  {
    kind: "anthropic_key",
    level: "secrets",
    hits: [[`x-api-key ${ANTHROPIC}`, "x-api-key [REDACTED:anthropic_key]"]],
    misses: ["sk-ant-short"],
  },
  {
    kind: "google_api_key",
    level: "secrets",
    hits: [["https://maps.googleapis.com/x?k=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "https://maps.googleapis.com/x?k=[REDACTED:google_api_key]"]],
    misses: ["AIzaTooShort123", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWYextra"],
  },
  {
    kind: "google_oauth_token",
    level: "secrets",
    hits: [["ya29.a0AfH6SMBx3kLqZ9_wQ-example-token-value", "[REDACTED:google_oauth_token]"]],
    misses: ["ya29.short"],
  },
  {
    kind: "aws",
    level: "secrets",
    hits: [
      ["aws_access_key_id=AKIAIOSFODNN7EXAMPLE", "aws_access_key_id=[REDACTED:aws_access_key_id]"],
      ["AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[REDACTED:aws_access_key_id] [REDACTED:aws_secret_key]"],
      ["SecretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "SecretAccessKey: [REDACTED:aws_secret_key]"],
    ],
    // A git SHA is 40 characters too; without an AWS context a 40-character run is left alone.
    misses: ["commit 9fceb02d0ae598e95dc970b74767f19372d61af8", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAIOSFODNN7EXAMPLE2"],
  },
  {
    kind: "github_token",
    level: "secrets",
    hits: [
      ["ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "[REDACTED:github_token]"],
      ["git clone https://github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF@github.com/x", "git clone https://[REDACTED:github_token]@github.com/x"],
    ],
    misses: ["ghp_short", "my_ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"],
  },
  { kind: "gitlab_token", level: "secrets", hits: [["glpat-AbCdEfGhIjKlMnOpQrSt", "[REDACTED:gitlab_token]"]], misses: ["glpat-short"] },
  {
    kind: "slack",
    level: "secrets",
    hits: [
      ["xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "[REDACTED:slack_token]"],
      ["post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now", "post to [REDACTED:slack_webhook] now"],
    ],
    misses: ["xoxb-123", "https://slack.com/services/T000"],
  },
  {
    kind: "stripe_key",
    level: "secrets",
    hits: [
      ["stripe.api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'", "stripe.api_key = '[REDACTED:stripe_key]'"],
      ["rk_live_51H8abcDEF0123456789", "[REDACTED:stripe_key]"],
      ["whsec_AbCdEf0123456789AbCdEf01", "[REDACTED:stripe_key]"],
    ],
    misses: ["pk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_short"],
  },
  {
    kind: "huggingface_token",
    level: "secrets",
    hits: [["HF_TOKEN hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "HF_TOKEN [REDACTED:huggingface_token]"]],
    misses: ["hf_transformers_pipeline_configuration_name", "hf_alllowercaselettersonlyhereandtherexx"],
  },
  {
    kind: "other providers",
    level: "secrets",
    hits: [
      ["gsk_AbCdEf0123456789AbCdEf0123456789AbCdEf0123456789", "[REDACTED:groq_key]"],
      ["xai-AbCdEf0123456789AbCdEf0123456789AbCdEf0123456789", "[REDACTED:xai_key]"],
      ["r8_AbCdEf0123456789AbCdEf0123456789ab", "[REDACTED:replicate_token]"],
      ["pplx-AbCdEf0123456789AbCdEf0123456789AbCdEf0123", "[REDACTED:perplexity_key]"],
      ["npm_AbCdEf0123456789AbCdEf0123456789AbCd", "[REDACTED:npm_token]"],
      ["SG.AbCdEf0123456789AbCd.AbCdEf0123456789AbCdEf0123456789", "[REDACTED:sendgrid_key]"],
    ],
    misses: ["gsk_short", "npm_install_step", "SG.short.x"],
  },
  {
    kind: "url_credentials",
    level: "secrets",
    hits: [
      ["postgres://app:s3cr3t@db.internal:5432/orders", "postgres://app:[REDACTED:url_credentials]@db.internal:5432/orders"],
      ["redis://:hunter2@cache:6379/0", "redis://:[REDACTED:url_credentials]@cache:6379/0"],
    ],
    misses: ["http://localhost:8080/path", "https://example.com/users/@me", "https://host:443/a@b", "mailto:someone"],
  },
  {
    kind: "bearer_token",
    level: "secrets",
    hits: [
      ["Authorization: Bearer abc123def456", "Authorization: Bearer [REDACTED:bearer_token]"],
      ["authorization: bearer tl_9f8e7d6c5b4a39281706f5e4d3c2b1a0", "authorization: bearer [REDACTED:bearer_token]"],
      [`Bearer ${JWT}`, "Bearer [REDACTED:jwt]"],
    ],
    misses: ["Bearer token expired", "the bearer authentication scheme", "Bearer abc"],
  },
  {
    kind: "basic_credentials",
    level: "secrets",
    hits: [["Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED:basic_credentials]"]],
    misses: ["Basic authentication failed", "Basic SGVsbG8gV29ybGQ=", "the Basic plan"],
  },
  {
    kind: "secret pairs",
    level: "secrets",
    hits: [
      ["Server=db;User Id=sa;Password=hunter2;Port=5432", "Server=db;User Id=sa;Password=[REDACTED:password];Port=5432"],
      ['{"api_key": "abcd1234", "model": "gpt-4o"}', '{"api_key": "[REDACTED:secret]", "model": "gpt-4o"}'],
      ["login with password: hunter2 please", "login with password: [REDACTED:password] please"],
      ["client_secret='xyz789'", "client_secret='[REDACTED:secret]'"],
      ["https://x.io/cb?state=1&token=abc123&x=1", "https://x.io/cb?state=1&token=[REDACTED:secret]&x=1"],
      ["https://acct.blob.core.windows.net/c/b?sv=2022&sig=AbC%2Bdef%3D", "https://acct.blob.core.windows.net/c/b?sv=2022&sig=[REDACTED:secret]"],
    ],
    misses: ["password reset email sent", "prompt_tokens=120", "Your password must be long.", "max_tokens=1024", "monkey=banana"],
  },
  {
    kind: "card_number",
    level: "secrets",
    hits: [
      ["card 4111 1111 1111 1111 exp 12/27", "card [REDACTED:card_number] exp 12/27"],
      ["5555-5555-5555-4444", "[REDACTED:card_number]"],
      ["amex 378282246310005.", "amex [REDACTED:card_number]."],
      ["4111111111111111", "[REDACTED:card_number]"],
      ["6011111111111117", "[REDACTED:card_number]"],
    ],
    misses: [
      "4111111111111112", // fails Luhn
      "1731499200000000", // epoch µs
      "1731499200000000000", // epoch ns
      "1234567890123456", // no issuer starts with 1
      "9999999999999995", // no issuer starts with 9
      "4444444444444444", // one repeated digit
      "order 41111111111111110000", // longer than 19 digits
      "4bf92f3577b34da6a3ce929d0e0e4736",
    ],
  },
  {
    kind: "email",
    level: "pii",
    hits: [
      ["contact jane.doe+billing@example.co.uk today", "contact [REDACTED:email] today"],
      ["User x_y@sub.example.com not found", "User [REDACTED:email] not found"],
    ],
    misses: ["icon@2x.png", "logo@3x.webp", "pkg@1.2.3", "@scope/pkg", "user@localhost", "npm i react@18.2.0"],
  },
  {
    kind: "phone",
    level: "pii",
    hits: [
      ["call +1 415 555 2671", "call [REDACTED:phone]"],
      ["+14155552671", "[REDACTED:phone]"],
      ["+44 (0)20 7946 0958", "[REDACTED:phone]"],
      ["(415) 555-2671", "[REDACTED:phone]"],
      ["415-555-2671", "[REDACTED:phone]"],
      ["415.555.2671", "[REDACTED:phone]"],
      ["tel 020 7946 0958", "tel [REDACTED:phone]"],
      ["06 12 34 56 78", "[REDACTED:phone]"],
    ],
    misses: ["4155552671", "1731499200000", "+0530", "+1234567", "415-555.2671", "01-02-2025 10:30", "123-456-7890", "2025-11-13"],
  },
  {
    kind: "ip_address",
    level: "pii",
    hits: [
      ["client 203.0.113.42 connected", "client [REDACTED:ip_address] connected"],
      ["10.0.0.1", "[REDACTED:ip_address]"],
      ["from 2001:db8::8a2e:370:7334.", "from [REDACTED:ip_address]."],
      ["fe80::1ff:fe23:4567:890a", "[REDACTED:ip_address]"],
      ["::ffff:192.0.2.1", "[REDACTED:ip_address]"],
    ],
    misses: ["127.0.0.1", "0.0.0.0", "::1", "1.2.3.4.5", "v1.2.3.4", "999.1.1.1", "std::vector<int>", "Foo::Bar", "00:1a:2b:3c:4d:5e", "12:00:00", "abc::def"],
  },
  {
    kind: "us_ssn",
    level: "pii",
    hits: [["SSN 078-05-1120", "SSN [REDACTED:us_ssn]"]],
    misses: ["000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "2025-11-13", "a-078-05-1120"],
  },
  {
    kind: "iban",
    level: "pii",
    hits: [
      ["IBAN DE89 3704 0044 0532 0130 00", "IBAN [REDACTED:iban]"],
      ["GB82WEST12345698765432", "[REDACTED:iban]"],
    ],
    misses: ["DE89 3704 0044 0532 0130 01", "AB12CDEF3456GHIJ", "GB82WEST1234569876543"],
  },
  {
    kind: "national ids",
    level: "pii",
    hits: [
      ["CPF 529.982.247-25", "CPF [REDACTED:br_cpf]"],
      ["DNI 12345678Z", "DNI [REDACTED:es_dni]"],
      ["NIE X1234567L", "NIE [REDACTED:es_dni]"],
    ],
    misses: ["529.982.247-26", "111.111.111-11", "12345678A", "X1234567A"],
  },
  {
    kind: "truncated",
    level: "secrets",
    hits: [
      ["token eyJhbGciOiJIUzI1NiIsInR5cCI6...", "token [REDACTED:truncated]..."],
      ["card 4242 4242 42...", "card [REDACTED:truncated]..."],
      ["key sk-proj-Ab3dE…", "key [REDACTED:truncated]…"],
    ],
    misses: ["and so on...", "see line 12...", "loading...", "retry in 20s...", "sk-proj-Ab3dE is cut in the middle"],
  },
  {
    kind: "truncated (pii)",
    level: "pii",
    hits: [
      ["mail maria.rossi@exam...", "mail [REDACTED:truncated]..."],
      ["call +1 415 55...", "call [REDACTED:truncated]..."],
    ],
    misses: ["see @alice...", "v1.2..."],
  },
];

describe.each(CASES)("$kind ($level)", ({ level, hits, misses }) => {
  const own = level === "secrets" ? secrets : pii;

  it.each(hits)("redacts %j", (input, expected) => {
    expect(own.redactText(input).value).toBe(expected);
    expect(content.redactText(input).value).toBe(expected);
  });

  it.each(misses)("leaves %j alone", (input) => {
    expect(pii.redactText(input).value).toBe(input);
  });

  if (level === "pii") {
    it.each(hits)("leaves %j alone at level secrets", (input) => {
      expect(secrets.redactText(input).value).toBe(input);
    });
  }
});

/**
 * Values of real spans (HTTP, DB, messaging, k8s, runtime, GenAI) that carry no secret and no
 * personal data: nothing may change at the strictest pattern level.
 */
const REALISTIC_VALUES = [
  "GET",
  "https://api.example.com/v1/orders?page=2&limit=50",
  "/v1/orders/:id",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
  "SELECT * FROM orders WHERE id = $1 LIMIT 100",
  "checkout-7d9f8b6c5-x2x4z",
  "a3f5c9e1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6",
  "pool-1-thread-3",
  "/app/src/orders/service.py",
  "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
  "msg_01XFDUDYJgAACzvnptvVoYEL",
  "gpt-4o-2024-08-06",
  "claude-3-5-sonnet-20241022",
  "1234.567ms",
  "00:01:23.456",
  "2025-11-13",
  "2025-11-13T12:00:00.123456Z",
  "Thu, 13 Nov 2025 12:00:00 GMT",
  "1731499200000",
  "1731499200000000",
  "550e8400-e29b-41d4-a716-446655440000",
  "4bf92f3577b34da6a3ce929d0e0e4736",
  "00f067aa0ba902b7",
  "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  "9fceb02d0ae598e95dc970b74767f19372d61af8",
  "v2.10.3",
  "1.2.3-beta.4+exp.sha.5114f85",
  "us-east-1",
  "123456789012",
  "arn:aws:lambda:us-east-1:123456789012:function:checkout",
  "HTTP/1.1 200 OK",
  "listening on :8080",
  "took 1523 ms",
  "Rate limit exceeded: retry after 20s",
  "RateLimitError",
  "Traceback (most recent call last):\n  File \"/app/handler.py\", line 42, in handle\n    raise ValueError('bad input')",
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "SGVsbG8gd29ybGQhIFRoaXMgaXMgYmFzZTY0IGRhdGE=",
  "kafka://orders-topic/partition-3/offset-1234567890",
  "grpc.health.v1.Health/Check",
  "Plan step 2 for request 14: search flights from SFO to JFK on 2025-12-01, 2 adults, budget 1200 USD",
  "The total is 1,234.56 EUR for 3 items (order #A-10023).",
  "python 3.12.1; node 20.19.0; go1.22.3",
];

describe("realistic span values", () => {
  it.each(REALISTIC_VALUES)("%j is not redacted at level pii", (value) => {
    const r = pii.redactText(value);
    expect(r.value).toBe(value);
    expect(r.count).toBe(0);
  });
});

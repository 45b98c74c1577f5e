/**
 * Validators that turn a pattern's candidate into a finding. A regex alone over-matches (any
 * 16-digit number, any base64 run); these checksums and structure checks are what keep ids,
 * timestamps and hashes in traces from being redacted.
 */
import { isIPv6 } from "node:net";

/** Luhn (mod 10) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer prefix and length of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners,
 * UnionPay, Maestro, Mir). Numbers starting with 1 (epoch timestamps in ms/µs/ns) never qualify.
 */
export function cardIssuerValid(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === "4") return n === 13 || n === 16 || n === 19; // Visa
  if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
  if (p4 >= 2221 && p4 <= 2720) return n === 16; // Mastercard 2-series
  if (p4 >= 2200 && p4 <= 2204) return n >= 16; // Mir
  if (p2 === 34 || p2 === 37) return n === 15; // Amex
  if (p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) return n >= 16; // Discover
  if (p2 === 62) return n >= 16; // UnionPay
  if (p4 >= 3528 && p4 <= 3589) return n >= 16; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14; // Diners
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return true; // Maestro
  return false;
}

export function cardNumberValid(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, "");
  return cardIssuerValid(digits) && luhnValid(digits) && !/^(\d)\1+$/.test(digits);
}

/** IBAN length per country (SWIFT IBAN registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** Registered country length and the ISO 13616 mod-97 check. */
export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, "").toUpperCase();
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = (value > 9 ? rest * 100 + value : rest * 10 + value) % 97;
  }
  return rest === 1;
}

/** A JWT's first part is base64url JSON with a string `alg` (RFC 7515 §4.1.1). */
export function jwtHeaderValid(header: string): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    return !!parsed && typeof parsed === "object" && typeof (parsed as { alg?: unknown }).alg === "string";
  } catch {
    return false;
  }
}

/** `Basic <b64>` only when the payload decodes to printable "user:password". */
export function basicCredentialsValid(b64: string): boolean {
  const decoded = Buffer.from(b64, "base64").toString("utf8");
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded) && decoded.indexOf(":") > 0;
}

/** US SSN ranges that were never issued: area 000, 666, 900-999; group 00; serial 0000. */
export function ssnValid(candidate: string): boolean {
  const [area, group, serial] = candidate.split("-");
  if (!area || !group || !serial) return false;
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== "00" && serial !== "0000";
}

/** Brazilian CPF check digits (both), rejecting the all-equal sequences the algorithm accepts. */
export function cpfValid(candidate: string): boolean {
  const d = candidate.replace(/\D/g, "");
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  const check = (len: number): number => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += Number(d[i]) * (len + 1 - i);
    return ((sum * 10) % 11) % 10;
  };
  return check(9) === Number(d[9]) && check(10) === Number(d[10]);
}

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

/** Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter): the letter is number mod 23. */
export function dniValid(candidate: string): boolean {
  const s = candidate.toUpperCase();
  const body = s.slice(0, -1).replace(/^[XYZ]/, (c) => String("XYZ".indexOf(c)));
  if (!/^\d{8}$/.test(body)) return false;
  return DNI_LETTERS[Number(body) % 23] === s.at(-1);
}

/** IPv4 with every octet <= 255; loopback and the unspecified address identify no one and stay. */
export function ipv4Reportable(candidate: string): boolean {
  const parts = candidate.split(".");
  if (parts.length !== 4 || parts.some((p) => Number(p) > 255 || (p.length > 1 && p[0] === "0"))) return false;
  return parts[0] !== "127" && candidate !== "0.0.0.0";
}

/** A real IPv6 address (checked by node:net), not loopback/unspecified, and not a `Foo::Bar` name. */
export function ipv6Reportable(candidate: string): boolean {
  if (!isIPv6(candidate) || !/\d/.test(candidate)) return false;
  const lower = candidate.toLowerCase();
  return lower !== "::1" && lower !== "::" && (candidate.match(/:/g)?.length ?? 0) >= 2;
}

/** Random keys mix cases and digits; words and identifiers (`sk-learn-…`) rarely do. */
export function looksRandom(body: string): boolean {
  return /\d/.test(body) && /[a-z]/.test(body) && /[A-Z]/.test(body);
}

/** Random keys in one case only: a run of 32+ hex characters (DeepSeek, OpenRouter). */
export function hasHexRun(body: string): boolean {
  return /[0-9a-f]{32,}/.test(body) && /\d/.test(body) && /[a-f]/.test(body);
}

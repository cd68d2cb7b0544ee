/** Kinds of word the tokenizer recognises before any grammar runs. */
export type WordKind = "word" | "number" | "usd" | "percent" | "address" | "url" | "separator";

/** One token of a command: the text as typed, its lower-case form and its kind. */
export interface Word {
  raw: string;
  lower: string;
  kind: WordKind;
  /** For number/usd/percent: the decimal digits without "$", "%" or thousands separators. */
  value?: string;
}

// Order matters: URLs and addresses before numbers and words; "10cro" splits into number + word.
const wordPattern =
  /https?:\/\/[^\s;]+|0x[0-9a-zA-Z]+|\$\s?(?:\d[\d,_]*(?:\.\d+)?|\.\d+)|(?:\d[\d,_]*(?:\.\d+)?|\.\d+)\s?%|\d[\d,_]*(?:\.\d+)?|\.\d+|[a-zA-Z][a-zA-Z0-9]*(?:[.'’-][a-zA-Z0-9]+)*|[;,]|\.(?=\s|$)|[^\s]/g;

const addressPattern = /^0x[0-9a-fA-F]{40}$/;

/**
 * Splits a command into words. Punctuation other than ";", "," and a sentence-ending "." is
 * dropped; URLs, 0x addresses, "$10" and "0.5%" stay whole.
 */
export function tokenize(text: string): Word[] {
  const words: Word[] = [];
  for (const match of text.matchAll(wordPattern)) {
    let raw = match[0];
    const first = raw.charCodeAt(0);
    if (raw === ";" || raw === "." || raw === ",") {
      words.push({ raw, lower: raw, kind: "separator" });
    } else if (raw.startsWith("http://") || raw.startsWith("https://") || raw.startsWith("HTTP")) {
      raw = raw.replace(/[.,!?)'"]+$/, "");
      words.push({ raw, lower: raw.toLowerCase(), kind: "url" });
    } else if (raw.startsWith("0x") && raw.length > 2) {
      words.push({
        raw,
        lower: raw.toLowerCase(),
        kind: addressPattern.test(raw) ? "address" : "word",
      });
    } else if (raw.startsWith("$")) {
      const value = raw.slice(1).trim().replace(/[,_]/g, "");
      words.push({ raw, lower: raw, kind: "usd", value });
    } else if (raw.endsWith("%")) {
      const value = raw.slice(0, -1).trim().replace(/[,_]/g, "");
      words.push({ raw, lower: raw, kind: "percent", value });
    } else if ((first >= 48 && first <= 57) || first === 46) {
      if (raw === ".") continue;
      const value = raw.replace(/[,_]/g, "").replace(/\.$/, "");
      words.push({ raw, lower: raw, kind: "number", value });
    } else if ((first >= 65 && first <= 90) || (first >= 97 && first <= 122)) {
      const lower = raw.toLowerCase().replace("’", "'");
      words.push({ raw, lower, kind: "word" });
    }
    // any other single character (",", "!", "?", quotes) is noise
  }
  return words;
}

import { describe, expect, test } from "vitest";
import {
  amountTextProblem,
  DecimalFormatError,
  formatDecimal,
  formatUsd,
  parseDecimal,
  parseUsd,
} from "../../../lib/agent/decimal.js";

describe("parseDecimal", () => {
  test("args: exact base units without floats", () => {
    expect(parseDecimal("0.1", 6)).toBe(100000n);
    expect(parseDecimal("0.10", 6)).toBe(100000n);
    expect(parseDecimal(".5", 18)).toBe(500000000000000000n);
    expect(parseDecimal("1,000.000001", 6)).toBe(1000000001n);
    expect(parseDecimal("123456789012345678901234567890.123456789012345678", 18)).toBe(
      123456789012345678901234567890123456789012345678n,
    );
    // 0.1 + 0.2 style float drift cannot happen: 0.3 is exactly 300000.
    expect(parseDecimal("0.3", 6)).toBe(parseDecimal("0.1", 6) + parseDecimal("0.2", 6));
  });

  test("behavior: trailing zeros beyond the decimals are fine, real digits are not", () => {
    expect(parseDecimal("1.0000000", 6)).toBe(1000000n);
    expect(() => parseDecimal("1.0000001", 6)).toThrow(DecimalFormatError);
  });

  test("error: not a decimal", () => {
    for (const text of ["", ".", "1e3", "-1", "0x10", "1.2.3", "abc"]) {
      expect(() => parseDecimal(text, 6), text).toThrow(DecimalFormatError);
    }
  });

  test("error: ambiguous separators are refused, never reinterpreted", () => {
    // Each of these once parsed to a different number than many writers mean.
    for (const text of [
      "1,5",
      "1,50",
      "10,00",
      "1,0000",
      "1.000,50",
      "1,000,5",
      "1_000",
      "1'000",
    ]) {
      expect(() => parseDecimal(text, 6), text).toThrow(/ambiguous/);
    }
  });

  test("args: thousands separators only in groups of three before the point", () => {
    expect(parseDecimal("1,000", 6)).toBe(1000000000n);
    expect(parseDecimal("12,345,678.5", 6)).toBe(12345678500000n);
    expect(parseDecimal("999", 0)).toBe(999n);
  });
});

describe("amountTextProblem", () => {
  test("args: plain and grouped decimals are accepted", () => {
    for (const text of ["0", "5", "5.", ".5", "0.10", "1,000", "1,000.50", "100,000,000"]) {
      expect(amountTextProblem(text), text).toBeUndefined();
    }
  });

  test("error: each refusal says what is wrong", () => {
    expect(amountTextProblem("-5")).toContain("negative");
    expect(amountTextProblem("\u22125")).toContain("negative");
    expect(amountTextProblem("+5")).toContain("sign");
    expect(amountTextProblem("1e3")).toContain("exponent");
    expect(amountTextProblem("1E-3")).toContain("exponent");
    expect(amountTextProblem("\uFF15")).toContain("digits 0-9");
    expect(amountTextProblem("1\u0665")).toContain("digits 0-9");
    expect(amountTextProblem("1,5")).toContain("ambiguous");
    expect(amountTextProblem("1.000,50")).toContain("ambiguous");
    expect(amountTextProblem("1.2.3")).toContain("not a decimal number");
    // Text that is no number at all is not called ambiguous.
    for (const text of ["abc", "12abc", "ten", "$5", "1,"])
      expect(amountTextProblem(text), text).toContain("not a decimal number");
  });

  test("error: more digits than a stored amount holds are refused up front", () => {
    // 60 digits fit numeric(78, 0) with 18 decimals; 61 did not fail until the plan was stored.
    expect(amountTextProblem("9".repeat(60))).toBeUndefined();
    expect(amountTextProblem(`${"9".repeat(42)}.${"9".repeat(18)}`)).toBeUndefined();
    expect(amountTextProblem("9".repeat(61))).toContain("has 61 digits; amounts have at most 60");
    expect(amountTextProblem(`1,${"000,".repeat(26)}000`)).toContain("has 82 digits");
  });
});

describe("formatDecimal / USD", () => {
  test("behavior: formats without trailing zeros and round-trips", () => {
    expect(formatDecimal(100000n, 6)).toBe("0.1");
    expect(formatDecimal(1n, 18)).toBe("0.000000000000000001");
    expect(formatDecimal(5000000n, 6)).toBe("5");
    expect(formatDecimal(parseDecimal("987.654321", 6), 6)).toBe("987.654321");
  });

  test("behavior: USD fixed point keeps 18 places and cuts beyond", () => {
    expect(parseUsd("1.5")).toBe(1_500_000_000_000_000_000n);
    expect(parseUsd("0.1234567890123456789")).toBe(123456789012345678n);
    expect(formatUsd(parseUsd("12.3456789"), 2)).toBe("12.34");
  });
});

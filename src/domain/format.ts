/**
 * Times and money as a reader expects them: `intl` is the BCP 47 tag of the language they
 * read (each string table names its own), `timeZone` an IANA zone. Pure: Intl only.
 */

/** Building a formatter costs far more than using one: one per language, zone and kind, kept. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function memo<F>(formats: Map<string, F>, key: string, make: () => F): F {
  let format = formats.get(key);
  if (!format) {
    format = make();
    formats.set(key, format);
  }
  return format;
}

const clock = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' } as const;

/** A time of day with its zone: "14.30 WIB" in Indonesian (WITA, WIT further east), "14:30 GMT+7" in English. */
export function formatTime(at: Date, intl: string, timeZone: string): string {
  return memo(dateFormats, `time|${intl}|${timeZone}`, () => new Intl.DateTimeFormat(intl, { ...clock, timeZone })).format(at);
}

/** A day and time with its zone: "5 Jan 2026, 10.00 WIB" in Indonesian, "5 Jan 2026, 10:00 GMT+7" in English. */
export function formatDateTime(at: Date, intl: string, timeZone: string): string {
  const make = () => new Intl.DateTimeFormat(intl, { ...clock, year: 'numeric', month: 'short', day: 'numeric', timeZone });
  return memo(dateFormats, `date|${intl}|${timeZone}`, make).format(at);
}

/** The zone as given when Intl knows it, else undefined: Slack's `tz` is not ours to trust blindly. */
export function knownTimeZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/**
 * An amount in a currency WhatsApp names by its ISO 4217 code: "Rp150.000" in Indonesian,
 * "IDR 150,000" in English. The currency's usual decimals, but never fewer than the amount has
 * (a price is not ours to round). A code Intl cannot take is shown as sent, after the number.
 */
export function formatMoney(amount: number, currency: string, intl: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency)) {
    const number = memo(numberFormats, `number|${intl}`, () => new Intl.NumberFormat(intl, { maximumFractionDigits: 20 }));
    return `${number.format(amount)} ${currency}`.trim();
  }
  const code = currency.toUpperCase();
  const format = memo(numberFormats, `money|${intl}|${code}`, () => new Intl.NumberFormat(intl, { style: 'currency', currency: code, maximumFractionDigits: 20 }));
  // Indonesian writes the rupiah sign against the number (PUEBI: Rp5.000,00); Intl puts a space there.
  return format
    .formatToParts(amount)
    .filter((part, i, parts) => !(part.type === 'literal' && /^\s+$/.test(part.value) && parts[i - 1]?.value === 'Rp'))
    .map((part) => part.value)
    .join('');
}

import { createHash } from "node:crypto";

// The semantic cache's lexical check. Embeddings score "Refund order 1042" and "Refund order
// 1043", or "the fee is waived" and "the fee is not waived", as near-identical; an answer for
// one is wrong for the other. So a hit also needs the same lexical signature: the same
// numbers (with their units and currency), units, quoted strings and names, each kind in the
// same order ("Acme bought Globex" is not "Globex bought Acme"), and the same negations (counted).
// The signature is hashed into the entry's `lexical_key`, which the lookup's WHERE clause
// matches: a candidate that fails the check is never even read. Deliberately strict: a
// paraphrase that spells a number differently ("twenty-five" for "25") is a miss, not a risk.

export type LexicalSignature = {
  /** Numbers, units, quoted strings and names, in the order they appear. */
  marks: string[];
  /** Negation words, "n't" and "not" counted as one kind, sorted. */
  negations: string[];
};

const NEGATIONS = new Set(["not", "no", "never", "none", "nothing", "nobody", "nowhere", "neither", "nor", "without", "cannot", "nope"]);

const NUMBER_WORDS: Record<string, string> = {
  zero: "0",
  one: "1",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  nine: "9",
  ten: "10",
  eleven: "11",
  twelve: "12",
  thirteen: "13",
  fourteen: "14",
  fifteen: "15",
  sixteen: "16",
  seventeen: "17",
  eighteen: "18",
  nineteen: "19",
  twenty: "20",
  thirty: "30",
  forty: "40",
  fifty: "50",
  sixty: "60",
  seventy: "70",
  eighty: "80",
  ninety: "90",
  hundred: "100",
  thousand: "1000",
  million: "1000000",
  billion: "1000000000",
  dozen: "12",
  half: "0.5",
  once: "1x",
  twice: "2x",
};

/** Unit words (singular, plural and abbreviation) to one name: "5 km" and "5 kilometres" match; "5 km" and "5 miles" do not. */
const UNITS: Record<string, string> = Object.fromEntries(
  Object.entries({
    mm: ["mm", "millimeter", "millimeters", "millimetre", "millimetres"],
    cm: ["cm", "centimeter", "centimeters", "centimetre", "centimetres"],
    m: ["meter", "meters", "metre", "metres"],
    km: ["km", "kms", "kilometer", "kilometers", "kilometre", "kilometres"],
    in: ["inch", "inches"],
    ft: ["ft", "foot", "feet"],
    yd: ["yd", "yard", "yards"],
    mi: ["mi", "mile", "miles"],
    g: ["g", "gram", "grams"],
    kg: ["kg", "kgs", "kilogram", "kilograms", "kilo", "kilos"],
    lb: ["lb", "lbs", "pound", "pounds"],
    oz: ["oz", "ounce", "ounces"],
    t: ["ton", "tons", "tonne", "tonnes"],
    ml: ["ml", "milliliter", "milliliters", "millilitre", "millilitres"],
    l: ["liter", "liters", "litre", "litres"],
    gal: ["gallon", "gallons"],
    c: ["°c", "celsius", "centigrade"],
    f: ["°f", "fahrenheit"],
    s: ["sec", "secs", "second", "seconds"],
    min: ["min", "mins", "minute", "minutes"],
    h: ["hr", "hrs", "hour", "hours"],
    day: ["day", "days"],
    week: ["week", "weeks"],
    month: ["month", "months"],
    year: ["yr", "yrs", "year", "years"],
    pct: ["%", "percent", "per-cent", "percentage"],
    usd: ["usd", "dollar", "dollars", "$"],
    eur: ["eur", "euro", "euros", "€"],
    gbp: ["gbp", "sterling", "£"],
    jpy: ["jpy", "yen", "¥"],
    kb: ["kb", "kilobyte", "kilobytes"],
    mb: ["mb", "megabyte", "megabytes"],
    gb: ["gb", "gigabyte", "gigabytes"],
    tb: ["tb", "terabyte", "terabytes"],
    mph: ["mph"],
    kmh: ["kmh", "km/h", "kph"],
  }).flatMap(([unit, words]) => words.map((word) => [word, unit])),
);

/**
 * Capitalized words that start a sentence without naming anything ("The", "Please",
 * "Summarize"). Any other capitalized word counts as a name, also at a sentence's start,
 * unless the text also has it in lower case ("Tickets cost €25 … buy tickets online").
 */
const SENTENCE_STARTERS = new Set(
  (
    "a an the this that these those there here it its it's i i'm i've we we're our you you're your he she they their them " +
    "my me us his her what which who whom whose when where why how whether if then so and but or yet also as at by for from in into " +
    "of on onto to with within about above after before below between during over under until upon than though although because " +
    "since while once each every all any some many much more most few several both either other another such only just even still " +
    "please kindly can could would should will shall may might must do does did is are was were be been being have has had " +
    "summarize summarise summary rewrite rephrase reword paraphrase make turn write give list explain describe translate convert " +
    "shorten simplify improve fix correct edit check tell show create draft compose polish keep change help let note remember " +
    "hi hello hey dear thanks thank ok okay yes yeah well now today tomorrow yesterday overall however therefore meanwhile " +
    "first second third next finally last lastly in-short briefly basically actually honestly really very quite same new old " +
    "our team customers customer users user people everyone someone nobody anyone staff management sales revenue profits costs " +
    "add mix use enter buy get remind see convert drive set call send ask book bring cancel choose click close come cut delete " +
    "download email find follow forward go hold join leave look meet move open order pay pick place plan print put read reply " +
    "report reset run save schedule select share sign sort start stop take try type update upload visit wait watch bake preheat " +
    "cook stir heat pour fill mention confirm apply review attach contact dear regards best cheers sorry great good " +
    "according compared moving following using during despite given based including regarding unlike like " +
    "shares orders refunds tickets readers prices sales results company companies unused most some"
  ).split(/\s+/),
);

const QUOTED = /"([^"\n]{1,200})"|“([^”\n]{1,200})”|‘([^’\n]{1,200})’|«([^»\n]{1,200})»/g;
const TOKEN = /(?:(?<![\p{L}\p{N}])[-−](?=[$€£¥]?\d))?[$€£¥]?[\p{L}\p{N}]+(?:[.,'’/\-][\p{L}\p{N}]+)*%?|°[cf]\b|[.!?:;\n]/giu;
const NUMBER_WITH_UNIT = /^([$€£¥]?\d[\d.,]*%?)([a-z]+|°[cf])$/i;

const lower = (text: string) => text.normalize("NFKC").toLowerCase().replace(/’/g, "'");

/** "1,000" and "1000" are one number; "$5" keeps its currency, "5%" its percent. */
function normalizeNumber(token: string): string {
  let value = token.replace(/^−/, "-").replace(/(?<=\d),(?=\d{3}\b)/g, "");
  value = value.replace(/^(-?)([$€£¥])/, (_, sign: string, symbol: string) => `${UNITS[symbol]}:${sign}`);
  return value.replace(/%$/, " pct");
}

export function lexicalSignature(text: string): LexicalSignature {
  const marks: string[] = [];
  const negations: string[] = [];
  // Quoted strings are marks of their own; what they contain is not read again.
  const unquoted = text.normalize("NFKC").replace(QUOTED, (...groups: string[]) => {
    const inner = groups.slice(1, 5).find((group) => group !== undefined) ?? "";
    marks.push(`q:${lower(inner).replace(/\s+/g, " ").trim()}`);
    return " . ";
  });
  const tokens = unquoted.match(TOKEN) ?? [];
  const lowerCaseWords = new Set(tokens.filter((token) => /^\p{Ll}/u.test(token)).map(lower));
  let sentenceStart = true;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (/^[.!?:;\n]$/.test(token)) {
      sentenceStart = true;
      continue;
    }
    const word = lower(token);
    const unitAfter = () => {
      const next = tokens[i + 1] && UNITS[lower(tokens[i + 1]!)];
      if (next) i++;
      return next ? ` ${next}` : "";
    };
    const split = NUMBER_WITH_UNIT.exec(word);
    if (split && UNITS[split[2]!]) {
      marks.push(`n:${normalizeNumber(split[1]!)} ${UNITS[split[2]!]}`);
    } else if (/\d/.test(word)) {
      marks.push(`n:${normalizeNumber(word)}${unitAfter()}`);
    } else if (NUMBER_WORDS[word] && (word !== "one" || UNITS[lower(tokens[i + 1] ?? "")])) {
      // "one" is a number only before a unit ("one of them" names no quantity).
      marks.push(`n:${NUMBER_WORDS[word]}${unitAfter()}`);
    } else if (UNITS[word] && word.length > 2) {
      marks.push(`u:${UNITS[word]}`);
    } else if (NEGATIONS.has(word) || word.endsWith("n't")) {
      negations.push(
        word === "nor" || word === "neither" || word === "nope" ? word : word.endsWith("n't") || word === "cannot" ? "not" : word,
      );
    } else if (/^\p{Lu}/u.test(token) || /\p{Ll}\p{Lu}/u.test(token)) {
      const name = word.replace(/'s$/, "");
      const commonWord = SENTENCE_STARTERS.has(name) || lowerCaseWords.has(word);
      if (!(sentenceStart && commonWord) && name !== "i") marks.push(`e:${name}`);
    }
    sentenceStart = false;
  }
  return { marks, negations: negations.sort() };
}

/**
 * The signature as the lookup's key: two texts may share an answer only if these are equal.
 * Order counts within each kind of mark (names among names, numbers among numbers), not
 * across kinds: "340 tickets in March" and "in March, 340 tickets" match; "Acme bought Globex"
 * and "Globex bought Acme", or "voted 7 to 2" and "voted 2 to 7", do not.
 */
export function lexicalKey(text: string): string {
  const { marks, negations } = lexicalSignature(text);
  const byKind = ["n:", "u:", "q:", "e:"].map((kind) => marks.filter((mark) => mark.startsWith(kind)));
  return createHash("sha256")
    .update(JSON.stringify([byKind, negations]))
    .digest("hex");
}

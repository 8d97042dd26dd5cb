// The demo model's embedding (development without a key, and the semantic cache's quality
// test): deterministic, no network. Hashed word, word-pair and character-trigram features,
// signed into EMBEDDING_DIMENSIONS buckets and scaled to unit length. Texts that share most
// words in the same order score close to 1; word pairs make order count ("Acme bought Globex"
// vs "Globex bought Acme" score lower than a bag of words would). It knows no synonyms, so
// real paraphrases score lower than with OpenAI's model: `npm run semantic:eval` measures both.

/** FNV-1a, 32 bits: a stable hash with no dependency. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export function demoEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number) => {
    const hash = fnv1a(feature);
    vector[hash % dimensions]! += hash & 0x80000000 ? -weight : weight;
  };
  const words = text.normalize("NFKC").toLowerCase().match(WORD) ?? [];
  words.forEach((word, i) => {
    add(`w:${word}`, 1);
    if (i > 0) add(`p:${words[i - 1]} ${word}`, 1);
    const padded = ` ${word} `;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
  });
  const norm = Math.hypot(...vector);
  // An input without words (punctuation only) still gets a unit vector.
  if (norm === 0) return vector.map((_, i) => (i === 0 ? 1 : 0));
  return vector.map((value) => value / norm);
}

// nlpjs.mjs trains NLP.js (@nlpjs/nlp 4.x) on one JSONL split and scores it on
// another, printing one JSON object with the same keys as `parley eval --json`.
//
//	node --expose-gc bench/peers/nlpjs.mjs --modules DIR --train TRAIN.jsonl --data TEST.jsonl
//
// DIR is the npm prefix the packages were installed into (npm install --prefix
// DIR @nlpjs/nlp@4 @nlpjs/core@4 @nlpjs/lang-en-min@4); it defaults to
// $NLPJS_DIR, then ${TMPDIR:-/tmp}/parley-peers.
//
// Scoring: a prediction of None, of the dataset's out-of-scope label (oos), or
// with a score below --threshold (0.5) counts as out of scope. Entities are not
// extracted, so entity_f1 is null. Times: train_seconds covers addDocument and
// train(); classify times are one nlp.process() call per test utterance, in
// microseconds, measured with process.hrtime.bigint() after 50 untimed
// calls on training utterances (and a full GC under --expose-gc). Two extra keys help
// read the numbers: out_of_scope_rate (share of test utterances answered as
// out of scope) and top1_accuracy_without_threshold (accuracy of the intent
// NLP.js ranked first, had no threshold applied).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const OOS = 'oos';
const WARMUP = 50;

function usage(msg) {
  if (msg) process.stderr.write(`nlpjs: ${msg}\n`);
  process.stderr.write(
    'usage: node nlpjs.mjs [--modules DIR] [--threshold 0.5] --train TRAIN.jsonl --data TEST.jsonl\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    modules: process.env.NLPJS_DIR || join(process.env.TMPDIR || tmpdir(), 'parley-peers'),
    threshold: 0.5,
    train: '',
    data: '',
  };
  for (let i = 0; i < argv.length; i += 1) {
    let [name, value] = argv[i].split(/=(.*)/s, 2);
    if (value === undefined) {
      if (i + 1 >= argv.length) usage(`${name} needs a value`);
      value = argv[(i += 1)];
    }
    switch (name.replace(/^--?/, '')) {
      case 'modules': opts.modules = value; break;
      case 'threshold': opts.threshold = Number(value); break;
      case 'train': opts.train = value; break;
      case 'data': case 'test': opts.data = value; break;
      default: usage(`unknown flag ${name}`);
    }
  }
  if (!opts.train || !opts.data) usage('--train and --data are required');
  if (!(opts.threshold >= 0 && opts.threshold <= 1)) usage('--threshold must be in [0, 1]');
  return opts;
}

function readJsonl(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`read ${file}: ${err.message}`);
  }
  const rows = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: ${err.message}`);
    }
    if (typeof row.text !== 'string' || typeof row.intent !== 'string' || row.intent === '') {
      throw new Error(`${file}:${i + 1}: want string "text" and non-empty "intent"`);
    }
    rows.push(row);
  });
  if (rows.length === 0) throw new Error(`${file}: no examples`);
  return rows;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function median(sorted) {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function round(x, digits) {
  if (x === null || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function versionOf(req, name) {
  try {
    return req(`${name}/package.json`).version;
  } catch {
    return null;
  }
}

function loadNlpjs(dir) {
  const req = createRequire(join(resolve(dir), 'package.json'));
  try {
    const { containerBootstrap } = req('@nlpjs/core');
    const { Nlp } = req('@nlpjs/nlp');
    const { LangEn } = req('@nlpjs/lang-en-min');
    const versions = {};
    for (const name of ['@nlpjs/nlp', '@nlpjs/core', '@nlpjs/lang-en-min', '@nlpjs/nlu', '@nlpjs/neural']) {
      versions[name] = versionOf(req, name);
    }
    return { containerBootstrap, Nlp, LangEn, versions };
  } catch (err) {
    throw new Error(
      `cannot load NLP.js from ${dir} (${err.code || err.message}); install it with ` +
        `npm install --prefix ${dir} @nlpjs/nlp@4 @nlpjs/core@4 @nlpjs/lang-en-min@4`,
    );
  }
}

const silentLogger = {
  name: 'logger',
  debug() {}, info() {}, warn() {}, error() {}, log() {}, trace() {}, fatal() {},
};

async function newNlp(lib, threshold) {
  const container = await lib.containerBootstrap();
  container.register('logger', silentLogger, true);
  container.use(lib.Nlp);
  container.use(lib.LangEn);
  const nlp = container.get('nlp');
  nlp.settings.autoSave = false;
  nlp.settings.autoLoad = false;
  nlp.settings.threshold = threshold;
  // The neural network prints every epoch unless the settings that the NLU
  // manager hands to train() say otherwise.
  nlp.nluManager.settings.log = false;
  nlp.addLanguage('en');
  return nlp;
}

function score(test, predicted, hasOos) {
  const labels = new Set(test.map((r) => r.intent));
  const stats = new Map();
  const stat = (label) => {
    if (!stats.has(label)) stats.set(label, { tp: 0, fp: 0, fn: 0, support: 0 });
    return stats.get(label);
  };
  let correct = 0;
  let inScope = 0;
  let inScopeCorrect = 0;
  let oos = 0;
  let oosFound = 0;
  test.forEach((row, i) => {
    const gold = row.intent;
    const pred = predicted[i];
    stat(gold).support += 1;
    if (pred === gold) {
      correct += 1;
      stat(gold).tp += 1;
    } else {
      stat(gold).fn += 1;
      stat(pred).fp += 1;
    }
    if (gold === OOS) {
      oos += 1;
      if (pred === OOS) oosFound += 1;
    } else {
      inScope += 1;
      if (pred === gold) inScopeCorrect += 1;
    }
  });
  const perIntent = {};
  let f1Sum = 0;
  for (const label of [...labels].sort()) {
    const s = stat(label);
    const precision = s.tp + s.fp ? s.tp / (s.tp + s.fp) : 0;
    const recall = s.support ? s.tp / s.support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    f1Sum += f1;
    perIntent[label] = {
      precision: round(precision, 4),
      recall: round(recall, 4),
      f1: round(f1, 4),
      support: s.support,
    };
  }
  return {
    intent_accuracy: round(correct / test.length, 4),
    in_scope_accuracy: hasOos ? round(inScope ? inScopeCorrect / inScope : 0, 4) : null,
    oos_recall: hasOos ? round(oos ? oosFound / oos : 0, 4) : null,
    macro_f1: round(f1Sum / labels.size, 4),
    per_intent: perIntent,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const lib = loadNlpjs(opts.modules);
  const train = readJsonl(opts.train);
  const test = readJsonl(opts.data);
  const hasOos = test.some((r) => r.intent === OOS);

  // Anything NLP.js writes to the console goes to stderr: stdout is the result.
  console.log = (...args) => console.error(...args);
  console.info = console.log;
  console.debug = console.log;

  const nlp = await newNlp(lib, opts.threshold);
  const t0 = process.hrtime.bigint();
  for (const row of train) nlp.addDocument('en', row.text, row.intent);
  await nlp.train();
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  // Time a warm process, as a bot serving messages would be: a few training
  // utterances first (untimed), then the garbage training left collected
  // (when node runs with --expose-gc) so it does not land on the first calls.
  for (const row of train.slice(0, WARMUP)) await nlp.process('en', row.text);
  if (typeof globalThis.gc === 'function') globalThis.gc();

  const predicted = new Array(test.length);
  const micros = new Float64Array(test.length);
  let outOfScopeCount = 0;
  let topCorrect = 0;
  for (let i = 0; i < test.length; i += 1) {
    const s = process.hrtime.bigint();
    const out = await nlp.process('en', test[i].text);
    micros[i] = Number(process.hrtime.bigint() - s) / 1e3;
    const outOfScope =
      !out || !out.intent || out.intent === 'None' || out.intent === OOS || !(out.score >= opts.threshold);
    predicted[i] = outOfScope ? OOS : out.intent;
    if (outOfScope) outOfScopeCount += 1;
    // What the classifier ranked first, before the threshold turned it into None.
    const top = ((out && out.classifications) || []).find((c) => c.intent !== 'None');
    if ((top ? top.intent : OOS) === test[i].intent) topCorrect += 1;
  }
  micros.sort();

  const result = {
    system: 'nlp.js',
    examples: test.length,
    ...score(test, predicted, hasOos),
    entity_f1: null,
    entity_f1_partial: null,
    train_seconds: round(trainSeconds, 3),
    classify_us_median: round(median(micros), 1),
    classify_us_p99: round(percentile(micros, 99), 1),
    train_examples: train.length,
    out_of_scope_rate: round(outOfScopeCount / test.length, 4),
    top1_accuracy_without_threshold: round(topCorrect / test.length, 4),
    threshold: opts.threshold,
    versions: { ...lib.versions, node: process.versions.node },
  };
  const { per_intent: perIntent, ...head } = result;
  process.stdout.write(`${JSON.stringify({ ...head, per_intent: perIntent })}\n`);
}

main().catch((err) => {
  process.stderr.write(`nlpjs: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
});

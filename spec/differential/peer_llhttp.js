// A conformance driver for llhttp, the parser inside Node.js (Node's own
// `HTTPParser` binding from `_http_common`), with the tern driver's interface.
//
// JSON Lines in: {"id", "input": base64}. JSON Lines out: {"id", "messages",
// "error", "incomplete", "unconsumed"} as in DESIGN.md, "The conformance
// driver". `error` is llhttp's error code (HPE_...); the comparison only looks
// at whether there is one.
//
// The parser runs in its strict configuration (no leniency flags), with a
// 64 KiB head limit like tern's. The bytes are fed one at a time so that the
// end of each message is known to the byte; a server that answers each
// request at once and stops after a request that does not keep the connection
// open (or asks for an upgrade) is played, like tern_proto::transcript::run.
'use strict';

const { HTTPParser, methods } = require('_http_common');
const readline = require('readline');

const MAX_HEADER_SIZE = 64 * 1024;

function latin1(buf) {
  return Buffer.isBuffer(buf) ? buf.toString('latin1') : String(buf);
}

function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

// The method of the request that starts at `start`: the bytes before the
// first SP, after any empty lines.
function methodAt(data, start) {
  let i = start;
  while (i < data.length && (data[i] === 13 || data[i] === 10)) i++;
  const sp = data.indexOf(32, i);
  return data.subarray(i, sp < 0 ? data.length : sp).toString('latin1');
}

function run(data) {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, MAX_HEADER_SIZE, HTTPParser.kLenientNone);
  const messages = [];
  let current = null;
  let started = false;
  let headersDone = false;
  let pendingHeaders = [];
  let pendingUrl = '';
  let completed = false;
  let stop = false;

  parser[HTTPParser.kOnMessageBegin] = () => {
    started = true;
    headersDone = false;
    pendingHeaders = [];
    pendingUrl = '';
  };
  parser[HTTPParser.kOnHeaders] = (headers, url) => {
    pendingHeaders = pendingHeaders.concat(headers || []);
    if (url) pendingUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] = (major, minor, headers, method, url, _s, _m, upgrade, keepAlive) => {
    const all = pendingHeaders.concat(headers || []);
    current = {
      // Node's method table lags behind llhttp's (QUERY, for one): fall back
      // to the bytes of the request line, which llhttp matched exactly.
      method: methods[method] || methodAt(data, messageStart),
      target: pendingUrl + (url || ''),
      version: `HTTP/${major}.${minor}`,
      headers: pairs(all),
      body: [],
      trailers: [],
      keepAlive: !!keepAlive,
      upgrade: !!upgrade,
    };
    pendingHeaders = [];
    headersDone = true;
    return 0;
  };
  parser[HTTPParser.kOnBody] = (chunk) => {
    if (current) current.body.push(Buffer.from(chunk));
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    if (!current) return;
    current.trailers = pairs(pendingHeaders);
    pendingHeaders = [];
    completed = true;
  };
  parser[HTTPParser.kOnExecute] = () => {};

  let consumedAtEnd = 0;
  let messageStart = 0;
  let error = null;
  for (let i = 0; i < data.length && !stop; i++) {
    const ret = parser.execute(data.subarray(i, i + 1));
    if (ret instanceof Error) {
      error = ret.code || String(ret);
      break;
    }
    if (completed) {
      completed = false;
      started = false;
      headersDone = false;
      consumedAtEnd = i + 1;
      messageStart = i + 1;
      const m = current;
      current = null;
      messages.push({
        method: m.method,
        target: latin1(m.target),
        version: m.version,
        headers: m.headers.map(([n, v]) => [latin1(n), latin1(v)]),
        body: Buffer.concat(m.body).toString('base64'),
        trailers: m.trailers.map(([n, v]) => [latin1(n), latin1(v)]),
      });
      if (!m.keepAlive || m.upgrade) stop = true;
    }
  }
  // Strings from the binding are latin-1 decoded already for names, values and
  // the URL; make sure the method name is a string.
  const rest = data.subarray(consumedAtEnd);
  const incomplete = error === null && !stop && (started || headersDone ||
    rest.toString('latin1').replace(/[\r\n]/g, '') !== '');
  parser.free && parser.free();
  return { messages, error, incomplete, unconsumed: data.length - consumedAtEnd };
}

function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  rl.on('line', (line) => {
    if (!line.trim()) return;
    const record = JSON.parse(line);
    const data = Buffer.from(record.input, 'base64');
    let result;
    try {
      result = run(data);
    } catch (e) {
      result = { messages: [], error: `peer crash: ${e}`, incomplete: false, unconsumed: data.length };
    }
    out.push(JSON.stringify({ id: record.id, ...result }));
    if (out.length >= 256) process.stdout.write(out.splice(0).join('\n') + '\n');
  });
  rl.on('close', () => {
    if (out.length) process.stdout.write(out.join('\n') + '\n');
  });
}

if (require.main === module) main();
module.exports = { run };

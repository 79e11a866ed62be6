#!/usr/bin/env node
// s3-verify-proxy.mjs — a SigV4-verifying proxy in front of s3rver, for tests
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// s3rver (the S3 emulator the tests run) accepts any SigV4 signature, so a
// test through it alone would prove nothing about signing. This proxy
// recomputes each request's signature with AWS's own signer
// (@aws-sdk/signature-v4, over the headers the request says it signed)
// and answers 403 SignatureDoesNotMatch when it differs; it also checks
// that the body's sha256 is the signed x-amz-content-sha256 and that
// Content-MD5 matches, as S3 does. Good requests go on to s3rver.
//
// s3rver 3.7.1 lacks three multipart calls that real S3 has and that the
// client uses: ListParts, AbortMultipartUpload and ListMultipartUploads.
// The proxy answers those itself from s3rver's upload folder
// (DATA/BUCKET/._S3rver_uploads/ID/{key,N,N.md5}), in S3's XML.
//
// Usage: node s3-verify-proxy.mjs --upstream PORT --data DIR --access-key K
//          --secret-key S [--region R] [--port P] [--log FILE] [--max-keys N]
// --max-keys N makes s3rver answer ListObjectsV2 in pages of at most N keys
// (whatever the client asked), so that tests walk continuation tokens.
// Prints "PORT=N" once it listens on 127.0.0.1:N (N is free when --port 0).
// Each request is logged as "METHOD URL STATUS" to --log (or stderr).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { SignatureV4 } = require('@aws-sdk/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

function parseArgs(argv) {
  const opts = { port: '0', region: 'us-east-1' };
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    opts[name] = argv[i + 1];
  }
  for (const required of ['upstream', 'data', 'accessKey', 'secretKey']) {
    if (!opts[required]) {
      process.stderr.write(`s3-verify-proxy: --${required.replace(/[A-Z]/g, c => '-' + c.toLowerCase())} is required\n`);
      process.exit(2);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv);
const signer = new SignatureV4({
  service: 's3',
  region: opts.region,
  credentials: { accessKeyId: opts.accessKey, secretAccessKey: opts.secretKey },
  sha256: Sha256,
  uriEscapePath: false,   // S3 signs the path as sent, encoded once
  applyChecksum: false,
});

function log(line) {
  if (opts.log)
    fs.appendFileSync(opts.log, line + '\n');
  else
    process.stderr.write(line + '\n');
}

function xmlEscape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function sendXml(res, status, xml) {
  const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n' + xml);
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
  res.end(body);
}

function sendError(res, status, code, message) {
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

// The query as the signer wants it: decoded names and values.
function parseQuery(raw) {
  const query = {};
  if (!raw)
    return query;
  for (const part of raw.split('&')) {
    if (part === '')
      continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (name in query)
      query[name] = [].concat(query[name], value);
    else
      query[name] = value;
  }
  return query;
}

function parseAmzDate(text) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text || '');
  if (!m)
    return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

// Returns null when the signature is right, else [status, code, message].
async function verify(req, rawPath, query, body) {
  const auth = req.headers.authorization;
  if (!auth)
    return [403, 'AccessDenied', 'no Authorization header'];
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m)
    return [400, 'AuthorizationHeaderMalformed', `cannot parse: ${auth.replace(/Signature=.*/, 'Signature=…')}`];
  const signedNames = m[2].split(';');
  for (const required of ['host', 'x-amz-content-sha256', 'x-amz-date']) {
    if (!signedNames.includes(required))
      return [403, 'AccessDenied', `${required} is not signed`];
  }
  const signingDate = parseAmzDate(req.headers['x-amz-date']);
  if (!signingDate)
    return [403, 'AccessDenied', 'x-amz-date is missing or malformed'];
  if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60 * 1000)
    return [403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'];
  const headers = {};
  for (const name of signedNames) {
    if (req.headers[name] === undefined)
      return [403, 'AccessDenied', `signed header ${name} is not in the request`];
    headers[name] = String(req.headers[name]);
  }
  const signed = await signer.sign({
    method: req.method,
    protocol: 'http:',
    hostname: req.headers.host,
    path: rawPath,
    query,
    headers,
  }, { signingDate });
  const expected = signed.headers.authorization;
  if (expected !== auth)
    return [403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. ' +
      `Expected ${expected.replace(/Signature=.*/, '')}`];

  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash !== 'UNSIGNED-PAYLOAD') {
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== payloadHash)
      return [400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.'];
  }
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5)
    return [400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.'];
  return null;
}

// ---- the multipart calls s3rver lacks ----

function uploadsDir(bucket) {
  return path.join(opts.data, bucket, '._S3rver_uploads');
}

function readUpload(bucket, uploadId) {
  if (!/^[0-9a-f]+$/.test(uploadId))
    return null;
  const dir = path.join(uploadsDir(bucket), uploadId);
  try {
    return { dir, key: fs.readFileSync(path.join(dir, 'key'), 'utf8'), initiated: fs.statSync(dir).mtime };
  } catch {
    return null;
  }
}

function listParts(res, bucket, key, query) {
  const upload = readUpload(bucket, query.uploadId);
  if (!upload || upload.key !== key)
    return sendError(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
  const marker = parseInt(query['part-number-marker'] || '0', 10);
  const max = Math.min(parseInt(query['max-parts'] || '1000', 10), 1000);
  // A part counts once its .md5 is written (s3rver writes it last): a part
  // cut short by a crash is not a part, as on S3.
  const numbers = fs.readdirSync(upload.dir).filter(f => /^\d+$/.test(f))
    .filter(f => fs.existsSync(path.join(upload.dir, f + '.md5'))).map(Number)
    .filter(n => n > marker).sort((a, b) => a - b);
  const page = numbers.slice(0, max);
  const truncated = numbers.length > page.length;
  let xml = `<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket)}</Bucket>` +
    `<Key>${xmlEscape(key)}</Key><UploadId>${query.uploadId}</UploadId><PartNumberMarker>${marker}</PartNumberMarker>` +
    `<NextPartNumberMarker>${page.length ? page[page.length - 1] : 0}</NextPartNumberMarker><MaxParts>${max}</MaxParts>` +
    `<IsTruncated>${truncated}</IsTruncated>`;
  for (const n of page) {
    const file = path.join(upload.dir, String(n));
    const st = fs.statSync(file);
    const md5 = fs.readFileSync(file + '.md5', 'utf8').trim();
    xml += `<Part><PartNumber>${n}</PartNumber><LastModified>${st.mtime.toISOString()}</LastModified>` +
      `<ETag>"${md5}"</ETag><Size>${st.size}</Size></Part>`;
  }
  sendXml(res, 200, xml + '</ListPartsResult>');
}

function abortUpload(res, bucket, key, query) {
  const upload = readUpload(bucket, query.uploadId);
  if (!upload || upload.key !== key)
    return sendError(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
  fs.rmSync(upload.dir, { recursive: true, force: true });
  res.writeHead(204);
  res.end();
}

function listUploads(res, bucket, query) {
  const prefix = query.prefix || '';
  let ids = [];
  try {
    ids = fs.readdirSync(uploadsDir(bucket));
  } catch {
    // no uploads yet
  }
  const uploads = ids.map(id => ({ id, ...readUpload(bucket, id) }))
    .filter(u => u.key !== undefined && u.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1));
  let xml = `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket)}</Bucket>` +
    `<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><Prefix>${xmlEscape(prefix)}</Prefix>` +
    `<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>`;
  for (const u of uploads)
    xml += `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.id}</UploadId>` +
      `<Initiated>${u.initiated.toISOString()}</Initiated></Upload>`;
  sendXml(res, 200, xml + '</ListMultipartUploadsResult>');
}

// ---- forwarding ----

function forward(req, res, body, upstreamUrl) {
  const up = http.request({
    host: '127.0.0.1',
    port: Number(opts.upstream),
    method: req.method,
    path: upstreamUrl,
    headers: req.headers,
  }, upRes => {
    // Logged before the client can have the answer: a test reading the log
    // after a request finds its line.
    log(`${req.method} ${req.url} ${upRes.statusCode}`);
    res.writeHead(upRes.statusCode, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', err => {
    log(`${req.method} ${req.url} 502 (${err.code})`);
    if (!res.headersSent)
      sendError(res, 502, 'BadGateway', `the emulator cannot be reached: ${err.code}`);
    else
      res.destroy();
  });
  up.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const q = req.url.indexOf('?');
    const rawPath = q < 0 ? req.url : req.url.slice(0, q);
    const query = parseQuery(q < 0 ? '' : req.url.slice(q + 1));
    try {
      const failure = await verify(req, rawPath, query, body);
      if (failure) {
        log(`${req.method} ${req.url} ${failure[0]} ${failure[1]}`);
        return sendError(res, failure[0], failure[1], failure[2]);
      }
      const segments = rawPath.split('/').slice(1);
      const bucket = decodeURIComponent(segments[0] || '');
      const key = segments.slice(1).map(decodeURIComponent).join('/');
      if (key && 'uploadId' in query && req.method === 'GET') {
        log(`${req.method} ${req.url} 200 (ListParts)`);
        return listParts(res, bucket, key, query);
      }
      if (key && 'uploadId' in query && req.method === 'DELETE') {
        log(`${req.method} ${req.url} 204 (AbortMultipartUpload)`);
        return abortUpload(res, bucket, key, query);
      }
      if (!key && bucket && 'uploads' in query && req.method === 'GET') {
        log(`${req.method} ${req.url} 200 (ListMultipartUploads)`);
        return listUploads(res, bucket, query);
      }
      let upstreamUrl = req.url;
      if (opts.maxKeys && !key && req.method === 'GET' && query['list-type'] === '2') {
        // After the signature check: s3rver checks none.
        const rest = req.url.slice(q + 1).split('&').filter(p => !p.startsWith('max-keys='));
        upstreamUrl = `${rawPath}?${rest.concat(`max-keys=${opts.maxKeys}`).join('&')}`;
      }
      forward(req, res, body, upstreamUrl);
    } catch (err) {
      log(`${req.method} ${req.url} 500 ${err.stack}`);
      sendError(res, 500, 'InternalError', String(err));
    }
  });
});

server.keepAliveTimeout = 60000;
server.listen(Number(opts.port), '127.0.0.1', () => {
  process.stdout.write(`PORT=${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));

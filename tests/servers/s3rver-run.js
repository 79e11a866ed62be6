#!/usr/bin/env node
// s3rver-run.js — runs s3rver (npm) with the arguments of its own command
// line, surviving one race of the emulator's that real S3 does not have.
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// When a client aborts a multipart upload (AbortMultipartUpload) while one
// of its UploadPart requests is still being written, s3rver removes the
// upload's folder under the part's feet; the part's write stream then emits
// an 'error' nobody listens to and the whole emulator exits. S3 itself
// answers such a late part with NoSuchUpload. Our client does exactly this
// when a transfer is cancelled mid-part, so the tests would fail by chance.
// Here that one error (ENOENT in s3rver's uploads folder) is logged and the
// server goes on; any other uncaught error still ends it.
'use strict';

const path = require('path');

process.on('uncaughtException', (err) => {
  if (err && err.code === 'ENOENT' && typeof err.path === 'string' &&
      err.path.includes(`${path.sep}._S3rver_uploads${path.sep}`)) {
    process.stderr.write(`s3rver-run: a part arrived after its upload was aborted: ${err.path}\n`);
    return;
  }
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

require(path.join(__dirname, 'node_modules', 's3rver', 'bin', 's3rver.js'));

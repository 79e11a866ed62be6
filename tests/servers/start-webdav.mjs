#!/usr/bin/env node
// start-webdav.mjs — a WebDAV server on loopback for the sync tests
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// npm webdav-server v2, serving the folder --root through HTTP Basic
// authentication with one user. Files land in --root as plain files, so a
// test can look at (or damage) what the client wrote.
//
// Usage: node start-webdav.mjs --root DIR --user U --password P [--port N] [--log FILE]
// Prints "PORT=N" once it listens on 127.0.0.1:N (a free port by default).
// Each request is logged as "METHOD URL STATUS" to --log (or stderr).

import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { v2: webdav } = require('webdav-server');

const opts = { port: '0' };
for (let i = 2; i < process.argv.length; i += 2)
  opts[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const required of ['root', 'user', 'password']) {
  if (!opts[required]) {
    process.stderr.write(`start-webdav: --${required} is required\n`);
    process.exit(2);
  }
}

function log(line) {
  if (opts.log)
    fs.appendFileSync(opts.log, line + '\n');
  else
    process.stderr.write(line + '\n');
}

const users = new webdav.SimpleUserManager();
const user = users.addUser(opts.user, opts.password, false);
const privileges = new webdav.SimplePathPrivilegeManager();
privileges.setRights(user, '/', ['all']);

const server = new webdav.WebDAVServer({
  hostname: '127.0.0.1',
  port: Number(opts.port),
  requireAuthentification: true,
  httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'IMU Studio tests'),
  privilegeManager: privileges,
  rootFileSystem: new webdav.PhysicalFileSystem(opts.root),
});

server.afterRequest((ctx, next) => {
  log(`${ctx.request.method} ${ctx.request.url} ${ctx.response.statusCode}`);
  next();
});

server.start(httpServer => {
  process.stdout.write(`PORT=${httpServer.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => process.exit(0));

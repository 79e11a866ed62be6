// azure-admin.js — helpers the sync tests and the benchmark run against
// Azurite with its well-known development account (never a real one):
//
//   node azure-admin.js create-container PORT CONTAINER
//   node azure-admin.js sas PORT CONTAINER PERMISSIONS EXPIRY_MINUTES
//       prints a container SAS token (sv=…&sig=…); a negative expiry gives
//       one that has already expired
//   node azure-admin.js put-blob PORT CONTAINER NAME FILE [SHA256]
//       uploads FILE as it is (a test uses it to plant a damaged bundle)
//   node azure-admin.js uncommitted-blocks PORT CONTAINER NAME
//       prints how many uncommitted blocks the blob has (0 when none)
//   node azure-admin.js list-containers PORT
//       prints the account's containers, one a line
'use strict';
const fs = require('fs');
const {
  BlobServiceClient, StorageSharedKeyCredential,
  generateBlobSASQueryParameters, ContainerSASPermissions,
} = require('@azure/storage-blob');

const ACCOUNT = 'devstoreaccount1';
// Azurite's published development key (docs: "Authorization for tools and SDKs").
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function main () {
  const [cmd, port, container, ...rest] = process.argv.slice(2);
  const cred = new StorageSharedKeyCredential(ACCOUNT, KEY);
  const url = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const service = new BlobServiceClient(url, cred);
  if (cmd === 'create-container') {
    await service.getContainerClient(container).createIfNotExists();
  } else if (cmd === 'sas') {
    const [permissions, minutes] = rest;
    const now = Date.now();
    const sas = generateBlobSASQueryParameters({
      containerName: container,
      permissions: ContainerSASPermissions.parse(permissions),
      startsOn: new Date(now - 3600 * 1000),
      expiresOn: new Date(now + Number(minutes) * 60 * 1000),
    }, cred).toString();
    process.stdout.write(sas + '\n');
  } else if (cmd === 'put-blob') {
    const [name, file, sha256] = rest;
    const blob = service.getContainerClient(container).getBlockBlobClient(name);
    const data = fs.readFileSync(file);
    await blob.upload(data, data.length, sha256 ? { metadata: { sha256 } } : {});
  } else if (cmd === 'uncommitted-blocks') {
    const [name] = rest;
    const blob = service.getContainerClient(container).getBlockBlobClient(name);
    let n = 0;
    try {
      const list = await blob.getBlockList('uncommitted');
      n = (list.uncommittedBlocks || []).length;
    } catch (e) {
      if (e.statusCode !== 404) throw e;
    }
    process.stdout.write(`${n}\n`);
  } else if (cmd === 'list-containers') {
    for await (const c of service.listContainers())
      process.stdout.write(`${c.name}\n`);
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
}

main().catch((e) => { console.error(e.message); process.exit(1); });

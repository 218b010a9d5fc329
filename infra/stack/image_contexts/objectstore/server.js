'use strict';
// Offline S3-compatible stand-in for MinIO: s3rver, keeping objects on /data (the named volume),
// serving path-style requests on :9000 and honouring MinIO's credential contract:
// MINIO_ROOT_USER / MINIO_ROOT_PASSWORD become the only accepted key pair.
const S3rver = require('s3rver');
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');

const user = process.env.MINIO_ROOT_USER;
const password = process.env.MINIO_ROOT_PASSWORD;
if (!user || !password) {
  console.error('objectstore: MINIO_ROOT_USER and MINIO_ROOT_PASSWORD must be set');
  process.exit(1);
}
DUMMY_ACCOUNT.revokeAccessKey('S3RVER'); // s3rver's built-in key pair would accept anyone who knows it
DUMMY_ACCOUNT.createKeyPair(user, password);

const server = new S3rver({
  address: '0.0.0.0',
  port: 9000,
  directory: process.env.OBJECTSTORE_DATA_DIR || '/data',
  vhostBuckets: false,
  silent: process.env.OBJECTSTORE_SILENT === '1',
});

// s3rver serves anonymous requests; MinIO refuses them. Refuse them here too, before s3rver sees them.
server.middleware.unshift(async (ctx, next) => {
  const signed = 'authorization' in ctx.headers || 'Signature' in ctx.query || 'X-Amz-Algorithm' in ctx.query;
  if (signed) return next();
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
    '<Message>Anonymous access is refused by this server.</Message></Error>';
});

server.run().then(
  (addr) => console.log(`objectstore: s3rver listening on ${addr.address}:${addr.port}`),
  (err) => { console.error(`objectstore: cannot start: ${err.message}`); process.exit(1); },
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`objectstore: ${signal} received, closing`);
    server.close().then(() => process.exit(0), () => process.exit(0));
  });
}

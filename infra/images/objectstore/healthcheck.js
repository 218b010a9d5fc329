'use strict';
// Health check for the stand-in: the server answers an unsigned request with an S3 error document
// (403 AccessDenied), which proves it is up *and* enforcing credentials. Anything else fails.
const http = require('http');

const req = http.get({ host: '127.0.0.1', port: 9000, path: '/', timeout: 800 }, (res) => {
  let body = '';
  res.on('data', (chunk) => { body += chunk; });
  res.on('end', () => process.exit(res.statusCode === 403 && body.includes('AccessDenied') ? 0 : 1));
});
req.on('timeout', () => { req.destroy(); process.exit(1); });
req.on('error', () => process.exit(1));

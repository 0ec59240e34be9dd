'use strict';
/**
 * nginx:alpine, as far as the examples need: serves the files under
 * /usr/share/nginx/html (HTML_ROOT overrides) on port 80 (PORT overrides),
 * index.html for directories, and logs each request as nginx's access log.
 */
const http = require('http');
const fs = require('fs');
const path = require('path');

const root = process.env.HTML_ROOT || '/usr/share/nginx/html';
const port = Number(process.env.PORT || 80);
const TYPES = { '.html': 'text/html', '.txt': 'text/plain', '.css': 'text/css', '.js': 'application/javascript', '.json': 'application/json' };

const server = http.createServer((req, res) => {
  const url = new URL(req.url || '/', 'http://localhost');
  let file = path.join(root, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
  let status = 200;
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    const body = fs.readFileSync(file);
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', Server: 'nginx' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    status = 404;
    res.writeHead(404, { 'Content-Type': 'text/html', Server: 'nginx' });
    res.end('<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n');
  }
  console.log(`${req.socket.remoteAddress} - - [${new Date().toUTCString()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} - "-" "${req.headers['user-agent'] || '-'}"`);
});
server.listen(port, () => console.log('nginx: serving ' + root + ' on port ' + port));

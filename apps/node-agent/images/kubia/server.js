'use strict';
/**
 * The kubia HTTP app of Kubernetes in Action, in its flavours. Listens on
 * 8080 (PORT overrides), logs `Received request from <address>` for each
 * request and answers with the pod's hostname.
 *
 *   node server.js v1         You've hit <hostname>
 *   node server.js v2         This is v2 running in pod <hostname>
 *   node server.js v3         like v2 (as v3), but 500 from the fifth request on
 *   node server.js unhealthy  like v1, but 500 from the fifth request on
 *   node server.js pet        GET: the stored data; POST: stores the body in /var/data/kubia.txt
 */
const http = require('http');
const fs = require('fs');
const os = require('os');
const path = require('path');

const flavour = process.argv[2] || 'v1';
const port = Number(process.env.PORT || 8080);
const dataFile = path.join(process.env.KUBIA_DATA_DIR || '/var/data', 'kubia.txt');
let requests = 0;

function answer(req, res) {
  console.log('Received request from ' + req.socket.remoteAddress);
  requests++;
  const host = os.hostname();
  if ((flavour === 'v3' || flavour === 'unhealthy') && requests > 4) {
    res.writeHead(500);
    res.end(flavour === 'v3' ? 'Some internal error has occurred! This is pod ' + host + '\n' : "I'm not well. Please restart me!\n");
    return;
  }
  res.writeHead(200);
  if (flavour === 'v2') res.end('This is v2 running in pod ' + host + '\n');
  else if (flavour === 'v3') res.end('This is v3 running in pod ' + host + '\n');
  else res.end("You've hit " + host + '\n');
}

function pet(req, res) {
  if (req.method === 'POST') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      console.log('Received request from ' + req.socket.remoteAddress);
      fs.mkdirSync(path.dirname(dataFile), { recursive: true });
      fs.writeFileSync(dataFile, Buffer.concat(chunks));
      res.writeHead(200);
      res.end('Data stored on pod ' + os.hostname() + '\n');
    });
    return;
  }
  console.log('Received request from ' + req.socket.remoteAddress);
  let data = 'No data posted yet';
  try {
    data = fs.readFileSync(dataFile, 'utf8');
  } catch {
    /* nothing stored */
  }
  res.writeHead(200);
  res.end("You've hit " + os.hostname() + '\nData stored on this pod: ' + data + '\n');
}

const server = http.createServer(flavour === 'pet' ? pet : answer);
server.listen(port, () => console.log('Kubia server starting...'));

'use strict';
/**
 * fortuneloop: writes a fortune to /var/htdocs/index.html every INTERVAL
 * seconds — the first argument, else $INTERVAL, else 10 (luksa/fortune:args
 * reads the argument, luksa/fortune:env the variable). HTDOCS overrides the
 * directory.
 */
const fs = require('fs');
const path = require('path');

const FORTUNES = [
  'A journey of a thousand miles begins with a single step.',
  'You will be hungry again in one hour.',
  'Today is a good day to ship.',
  'The best way to predict the future is to create it.',
  'Never trust a computer you cannot throw out a window.',
  'Simplicity is prerequisite for reliability.',
  'Talk is cheap. Show me the code.',
  'Everything should be made as simple as possible, but not simpler.',
];
const interval = Number(process.argv[2] || process.env.INTERVAL || 10);
if (!(interval > 0)) {
  console.error('interval must be a positive number of seconds, not ' + JSON.stringify(process.argv[2] || process.env.INTERVAL));
  process.exit(1);
}
const dir = process.env.HTDOCS || '/var/htdocs';
console.log('Configured to generate new fortune every ' + interval + ' seconds');
fs.mkdirSync(dir, { recursive: true });

function write() {
  console.log(new Date().toString() + ' Writing fortune to ' + path.join(dir, 'index.html'));
  fs.writeFileSync(path.join(dir, 'index.html'), FORTUNES[Math.floor(Math.random() * FORTUNES.length)] + '\n');
}
write();
setInterval(write, interval * 1000);

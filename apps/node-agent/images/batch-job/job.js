'use strict';
/** batch-job: works a while (WORK_SECONDS, default 3; the book's image takes 120), then exits 0. */
const seconds = Number(process.env.WORK_SECONDS || process.argv[2] || 3);
console.log(new Date().toString() + ' Batch job starting');
setTimeout(() => {
  console.log(new Date().toString() + ' Finished succesfully');
  process.exit(0);
}, seconds * 1000);

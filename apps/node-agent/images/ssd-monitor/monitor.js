'use strict';
/** ssd-monitor: a DaemonSet's node agent that only idles, saying so now and then. */
console.log('SSD OK');
setInterval(() => console.log('SSD OK'), 5000);

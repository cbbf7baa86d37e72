// Busy CPU load for a given number of seconds, to shift the relative timing of tests.
const end = Date.now() + Number(process.argv[2]) * 1000;
let x = 0; while (Date.now() < end) { for (let i = 0; i < 1e6; i++) x += Math.sqrt(i); }
console.log(x > 0);

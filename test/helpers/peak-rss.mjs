// Loaded with `node --import` into a process under test: on exit, reports the process's peak
// resident set size (getrusage ru_maxrss, kB on Linux) on stderr as "peak-rss-kb N".
process.on('exit', () => {
  process.stderr.write(`\npeak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});

// A node:test reporter that writes one JSON line of counts, for test/run-engines.mjs's combined
// closing line: { passed, failed, skipped } over tests (suites are not counted).
export default async function* summaryReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') {
      // A suite that failed outside its tests (a `before` hook) has no failing test to count.
      if (event.type === 'test:fail' && event.data.details.error?.failureType === 'hookFailed') counts.failed++;
      continue;
    }
    if (event.data.skip || event.data.todo) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else counts.failed++;
  }
  yield `${JSON.stringify(counts)}\n`;
}

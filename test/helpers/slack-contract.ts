import { takeProblems } from '../fakes/block-kit';

// Whatever a test sent to Slack that real Slack would refuse fails that test.
afterEach(() => {
  const problems = takeProblems();
  if (problems.length > 0) throw new Error(`Slack would refuse what this test sent:\n  ${problems.join('\n  ')}`);
});

import nock from 'nock';

// nock patches process-wide modules, which outlive a suite in its jest worker:
// each suite starts with nock active and leaves it restored and empty.
beforeAll(() => {
  if (!nock.isActive()) nock.activate();
});
afterAll(() => {
  nock.cleanAll();
  nock.restore();
});

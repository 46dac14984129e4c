import {
  WINDOW_MS,
  canReplyFreely,
  dueAlerts,
  nextAlertAt,
  nextWindowCloseAt,
  splitDuration,
  windowClosesAt,
  windowMoves,
  windowState,
  type AlertArgs,
} from '../../src/domain/window';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const inbound = new Date('2024-05-01T10:00:00.000Z');
const closesAt = new Date('2024-05-02T10:00:00.000Z');
const at = (msBeforeClose: number) => new Date(closesAt.getTime() - msBeforeClose);
const warn = [120, 30] as const;

describe('window close time', () => {
  it('is 24 hours after the inbound message timestamp', () => {
    expect(WINDOW_MS).toBe(24 * HOUR);
    expect(windowClosesAt(inbound)).toEqual(closesAt);
  });

  it('starts a fresh window when there was none', () => {
    expect(nextWindowCloseAt(undefined, inbound)).toEqual(closesAt);
  });

  it('moves forward with a newer inbound message', () => {
    const later = new Date(inbound.getTime() + 5 * HOUR);
    expect(nextWindowCloseAt(closesAt, later)).toEqual(new Date(closesAt.getTime() + 5 * HOUR));
  });

  it('never moves backwards for a late, out-of-order inbound message', () => {
    const older = new Date(inbound.getTime() - 3 * HOUR);
    expect(nextWindowCloseAt(closesAt, older)).toEqual(closesAt);
  });

  it('stays the same for a duplicate delivery of the same message', () => {
    expect(nextWindowCloseAt(closesAt, inbound)).toEqual(closesAt);
  });
});

describe('canReplyFreely', () => {
  it('is true one second before the close', () => {
    expect(canReplyFreely(closesAt, at(SECOND))).toBe(true);
  });
  it('is false at exactly 24h after the inbound message', () => {
    expect(canReplyFreely(closesAt, new Date(inbound.getTime() + 24 * HOUR))).toBe(false);
  });
  it('is false one second after the close', () => {
    expect(canReplyFreely(closesAt, at(-SECOND))).toBe(false);
  });
  it('is false when the customer never wrote', () => {
    expect(canReplyFreely(undefined, inbound)).toBe(false);
  });
});

describe('windowState', () => {
  it('is open long before the largest threshold', () => {
    expect(windowState(closesAt, at(5 * HOUR), warn)).toEqual({
      status: 'open',
      msLeft: 5 * HOUR,
      crossedThresholds: [],
    });
  });

  it('is open one millisecond before the largest threshold', () => {
    const state = windowState(closesAt, at(120 * MINUTE + 1), warn);
    expect(state.status).toBe('open');
    expect(state.crossedThresholds).toEqual([]);
  });

  it('is closing exactly at the largest threshold, which counts as crossed', () => {
    expect(windowState(closesAt, at(120 * MINUTE), warn)).toEqual({
      status: 'closing',
      msLeft: 120 * MINUTE,
      crossedThresholds: [120],
    });
  });

  it('lists several thresholds crossed together, most urgent first', () => {
    expect(windowState(closesAt, at(10 * MINUTE), [30, 120, 30]).crossedThresholds).toEqual([30, 120]);
  });

  it('is closing one second before the close', () => {
    const state = windowState(closesAt, at(SECOND), warn);
    expect(state.status).toBe('closing');
    expect(state.msLeft).toBe(SECOND);
  });

  it('is closed exactly at the close, with nothing left and nothing crossed', () => {
    expect(windowState(closesAt, closesAt, warn)).toEqual({ status: 'closed', msLeft: 0, crossedThresholds: [] });
  });

  it('is closed after the close and never reports negative time', () => {
    expect(windowState(closesAt, at(-HOUR), warn).msLeft).toBe(0);
  });

  it('is closed when there is no window', () => {
    expect(windowState(undefined, inbound, warn).status).toBe('closed');
  });

  it('is never "closing" without thresholds', () => {
    expect(windowState(closesAt, at(SECOND), []).status).toBe('open');
  });

  it('ignores non-positive and non-finite thresholds', () => {
    expect(windowState(closesAt, at(SECOND), [0, -5, Number.NaN]).status).toBe('open');
  });
});

describe('dueAlerts', () => {
  const base: AlertArgs = {
    closesAt,
    now: at(5 * HOUR),
    warnMinutes: warn,
    alreadyWarned: [],
    closedNotified: false,
    answeredAfterLastInbound: false,
  };

  it('has nothing before any threshold', () => {
    expect(dueAlerts(base)).toEqual({ warnings: [], skipped: [], notifyClosed: false });
  });

  it('warns once a threshold is reached', () => {
    expect(dueAlerts({ ...base, now: at(120 * MINUTE) })).toEqual({ warnings: [120], skipped: [], notifyClosed: false });
  });

  it('does not repeat a threshold already warned', () => {
    expect(dueAlerts({ ...base, now: at(100 * MINUTE), alreadyWarned: [120] }).warnings).toEqual([]);
  });

  it('warns the next threshold after the first was posted', () => {
    expect(dueAlerts({ ...base, now: at(30 * MINUTE), alreadyWarned: [120] })).toEqual({
      warnings: [30],
      skipped: [],
      notifyClosed: false,
    });
  });

  it('posts only the most urgent of thresholds crossed together and skips the rest', () => {
    expect(dueAlerts({ ...base, now: at(10 * MINUTE), warnMinutes: [120, 60, 30] })).toEqual({
      warnings: [30],
      skipped: [60, 120],
      notifyClosed: false,
    });
  });

  it('gives answered conversations nothing, before or after the close', () => {
    expect(dueAlerts({ ...base, now: at(10 * MINUTE), answeredAfterLastInbound: true })).toEqual({
      warnings: [],
      skipped: [],
      notifyClosed: false,
    });
    expect(dueAlerts({ ...base, now: closesAt, answeredAfterLastInbound: true }).notifyClosed).toBe(false);
  });

  it('notifies the close exactly at 24h, with no warnings, skipping unposted thresholds', () => {
    expect(dueAlerts({ ...base, now: closesAt, alreadyWarned: [120] })).toEqual({
      warnings: [],
      skipped: [30],
      notifyClosed: true,
    });
  });

  it('still warns one second before the close', () => {
    expect(dueAlerts({ ...base, now: at(SECOND), alreadyWarned: [120] }).warnings).toEqual([30]);
  });

  it('notifies the close only once', () => {
    expect(dueAlerts({ ...base, now: at(-SECOND), alreadyWarned: [120, 30], closedNotified: true })).toEqual({
      warnings: [],
      skipped: [],
      notifyClosed: false,
    });
  });

  it('starts over for a fresh window: thresholds warned before do not count', () => {
    // A new inbound message resets alreadyWarned to [] and moves closesAt.
    const fresh = nextWindowCloseAt(closesAt, at(20 * MINUTE));
    const now = new Date(fresh.getTime() - 120 * MINUTE);
    expect(dueAlerts({ ...base, closesAt: fresh, now, alreadyWarned: [] }).warnings).toEqual([120]);
  });

  it('ignores warned thresholds that are no longer configured', () => {
    expect(dueAlerts({ ...base, now: at(30 * MINUTE), alreadyWarned: [45] })).toEqual({
      warnings: [30],
      skipped: [120],
      notifyClosed: false,
    });
  });
});

describe('nextAlertAt', () => {
  const base = {
    closesAt,
    warnMinutes: warn,
    alreadyWarned: [] as number[],
    closedNotified: false,
    answeredAfterLastInbound: false,
  };

  it('is the largest unwarned threshold for a fresh window', () => {
    expect(nextAlertAt(base)).toEqual(at(120 * MINUTE));
  });

  it('is the next threshold once the first was warned', () => {
    expect(nextAlertAt({ ...base, alreadyWarned: [120] })).toEqual(at(30 * MINUTE));
  });

  it('is the close once every threshold was warned', () => {
    expect(nextAlertAt({ ...base, alreadyWarned: [120, 30] })).toEqual(closesAt);
  });

  it('is undefined once the close was notified', () => {
    expect(nextAlertAt({ ...base, alreadyWarned: [120, 30], closedNotified: true })).toBeUndefined();
  });

  it('is undefined for an answered conversation', () => {
    expect(nextAlertAt({ ...base, answeredAfterLastInbound: true })).toBeUndefined();
  });

  it('agrees with dueAlerts: nothing is due just before it, something is due at it', () => {
    for (const alreadyWarned of [[], [120], [120, 30]]) {
      const args = { ...base, alreadyWarned };
      const moment = nextAlertAt(args);
      if (moment === undefined) throw new Error('expected an alert moment');
      const before = dueAlerts({ ...args, now: new Date(moment.getTime() - 1) });
      const atMoment = dueAlerts({ ...args, now: moment });
      expect(before.warnings.length + Number(before.notifyClosed)).toBe(0);
      expect(atMoment.warnings.length + Number(atMoment.notifyClosed)).toBe(1);
    }
  });
});

describe('splitDuration', () => {
  it('splits into hours and minutes', () => {
    expect(splitDuration(2 * HOUR + 5 * MINUTE)).toEqual({ hours: 2, minutes: 5 });
  });
  it('rounds to the nearest minute so a slightly late warning reads the threshold', () => {
    expect(splitDuration(30 * MINUTE - 5 * SECOND)).toEqual({ hours: 0, minutes: 30 });
    expect(splitDuration(59 * MINUTE + 40 * SECOND)).toEqual({ hours: 1, minutes: 0 });
  });
  it('never goes negative', () => {
    expect(splitDuration(-HOUR)).toEqual({ hours: 0, minutes: 0 });
    expect(splitDuration(Number.NaN)).toEqual({ hours: 0, minutes: 0 });
  });
});

describe('window moves of several inbound messages, in turn', () => {
  const h = (hours: number) => new Date(inbound.getTime() + hours * HOUR);

  it('opens a first window without calling it reopened, and moves it with each later message', () => {
    expect(windowMoves(undefined, [h(0), h(1)])).toEqual({
      moves: [
        { moved: true, reopened: false },
        { moved: true, reopened: false },
      ],
      closesAt: windowClosesAt(h(1)),
    });
  });

  it('reopens a closed window once, and a late or repeated message moves nothing', () => {
    expect(windowMoves(closesAt, [h(30), h(29), h(30), h(31)])).toEqual({
      moves: [
        { moved: true, reopened: true },
        { moved: false, reopened: false },
        { moved: false, reopened: false },
        { moved: true, reopened: false },
      ],
      closesAt: windowClosesAt(h(31)),
    });
  });

  it('sees a window close between two messages of one batch', () => {
    expect(windowMoves(closesAt, [h(1), h(26)]).moves).toEqual([
      { moved: true, reopened: false },
      { moved: true, reopened: true },
    ]);
  });

  it('moves nothing without messages', () => {
    expect(windowMoves(closesAt, [])).toEqual({ moves: [], closesAt });
  });
});

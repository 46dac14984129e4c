// node-cron's own matcher of an expression against a moment (in a time zone); it ships without types.
declare module 'node-cron/src/time-matcher' {
  export default class TimeMatcher {
    constructor(pattern: string, timezone?: string);
    match(date: Date): boolean;
  }
}

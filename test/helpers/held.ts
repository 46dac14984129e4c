/** An answer a fake holds back until the test releases it: what happens meanwhile cannot depend on timing. */
export function silentUntilReleased(): { answer: () => Promise<void>; release: () => void } {
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { answer: () => released, release: () => release() };
}

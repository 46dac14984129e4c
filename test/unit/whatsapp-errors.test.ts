import { describeWhatsAppError, isRetryableHttpStatus } from '../../src/whatsapp/errors';

describe('describeWhatsAppError', () => {
  it('says that 131047 means the 24-hour window is closed and retrying will not help', () => {
    expect(describeWhatsAppError(131047)).toEqual({ code: 131047, meaning: 'window_closed', retryable: false });
  });

  it.each([
    [130429, 'rate_limited'],
    [131056, 'pair_rate_limited'],
    [80007, 'rate_limited'],
    [4, 'rate_limited'],
    [131000, 'meta_internal_error'],
    [131016, 'service_unavailable'],
  ])('marks %i (%s) as retryable', (code, meaning) => {
    expect(describeWhatsAppError(code)).toEqual({ code, meaning, retryable: true });
  });

  it.each([
    [131026, 'undeliverable'],
    [131051, 'unsupported_message_type'],
    [131052, 'media_download_failed'],
    [131053, 'media_upload_failed'],
    [132000, 'template_param_count_mismatch'],
    [132001, 'template_not_found'],
    [132005, 'template_text_too_long'],
    [132007, 'template_policy_violated'],
    [132012, 'template_param_format_mismatch'],
    [132015, 'template_paused'],
    [132016, 'template_disabled'],
    [100, 'invalid_parameter'],
    [190, 'access_token_invalid'],
    [368, 'account_blocked_policy'],
    [131031, 'account_locked'],
    [133010, 'phone_not_registered'],
    [2388023, 'template_name_being_deleted'],
    [2388024, 'template_duplicate'],
  ])('describes %i as %s, not retryable', (code, meaning) => {
    expect(describeWhatsAppError(code)).toEqual({ code, meaning, retryable: false });
  });

  it('falls back to the family for other template creation codes and permission codes', () => {
    expect(describeWhatsAppError(2388999)).toEqual({ code: 2388999, meaning: 'template_create_rejected', retryable: false });
    expect(describeWhatsAppError(2388000)).toMatchObject({ meaning: 'template_create_rejected' });
    expect(describeWhatsAppError(2389000)).toMatchObject({ meaning: 'unknown' });
    expect(describeWhatsAppError(250)).toMatchObject({ meaning: 'permission_denied', retryable: false });
  });

  it.each([0, -1, 131999, 1.5, Number.NaN])('describes unknown code %p as unknown and not retryable', (code) => {
    expect(describeWhatsAppError(code)).toEqual({ code, meaning: 'unknown', retryable: false });
  });
});

describe('isRetryableHttpStatus', () => {
  it.each([429, 500, 502, 503, 504, 599])('retries %i', (status) => {
    expect(isRetryableHttpStatus(status)).toBe(true);
  });

  it.each([200, 400, 401, 403, 404, 428, 430, 499, 600])('does not retry %i', (status) => {
    expect(isRetryableHttpStatus(status)).toBe(false);
  });
});

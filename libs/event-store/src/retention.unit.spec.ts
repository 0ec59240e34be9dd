import { parseDuration, retentionPolicyFromEnv } from './retention';

describe('retention settings', () => {
  it('parses durations with units, combined', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
    expect(() => parseDuration('30')).toThrow(/invalid duration/);
    expect(() => parseDuration('thirty days')).toThrow(/invalid duration/);
    expect(() => parseDuration('')).toThrow(/empty/);
  });

  it('reads the policy from the environment, keeping everything by default', () => {
    expect(retentionPolicyFromEnv({})).toBeUndefined();
    expect(retentionPolicyFromEnv({ LOGBOOK_RETENTION_MAX_AGE: '30d' })).toEqual({ maxAgeMs: 30 * 86_400_000 });
    expect(retentionPolicyFromEnv({ LOGBOOK_RETENTION_MAX_EVENTS: '1_000_000' })).toEqual({ maxEvents: 1_000_000 });
    expect(retentionPolicyFromEnv({ LOGBOOK_RETENTION_MAX_AGE: '7d', LOGBOOK_RETENTION_MAX_EVENTS: '10' })).toEqual({ maxAgeMs: 7 * 86_400_000, maxEvents: 10 });
    expect(() => retentionPolicyFromEnv({ LOGBOOK_RETENTION_MAX_EVENTS: '0' })).toThrow(/at least 1/);
    expect(() => retentionPolicyFromEnv({ LOGBOOK_RETENTION_MAX_EVENTS: 'lots' })).toThrow(/whole number/);
    expect(() => retentionPolicyFromEnv({ LOGBOOK_RETENTION_MAX_AGE: '30' })).toThrow(/invalid duration/);
  });
});

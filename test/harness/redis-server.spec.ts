import { REDIS_MISSING_MESSAGE, startRedis } from './redis-server';

describe('redis-server harness', () => {
  it('fails (never skips) with the install command when redis-server is not on PATH', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await expect(startRedis()).rejects.toThrow('apt-get install -y redis-server');
    } finally {
      process.env['PATH'] = path;
    }
    expect(REDIS_MISSING_MESSAGE).toContain('apt-get install -y redis-server');
  });

  it('starts on a free loopback port with noeviction and no persistence, restarts on the same port, and cleans up', async () => {
    const redis = await startRedis();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      const client = redis.client();
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      await redis.kill();
      expect(redis.running).toBe(false);
      await redis.restart();
      expect(redis.running).toBe(true);
      expect(await redis.client().ping()).toBe('PONG');
    } finally {
      await redis.dispose();
    }
    expect(redis.running).toBe(false);
  });
});

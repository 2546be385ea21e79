import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dlb-config-'));

  it('runs on defaults: embedded broker, ./data, port 8080', () => {
    const c = loadConfig({ env: {}, cwd: dir });
    expect(c.mqtt.mode).toBe('embedded');
    expect(c.http.port).toBe(8080);
    expect(c.dataDir).toBe(path.join(dir, 'data'));
    expect(c.timezone).toBe('Asia/Shanghai');
  });

  it('layers file < environment < overrides', () => {
    const file = path.join(dir, 'a.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9000 }, media: { maxDurationSec: 100 } }));
    const c = loadConfig({
      env: { DLB_CONFIG: file, DLB_HTTP_PORT: '9100', DLB_MAX_UPLOAD_MB: '5' },
      cwd: dir,
    });
    expect(c.http.port).toBe(9100);
    expect(c.media.maxDurationSec).toBe(100);
    expect(c.media.maxUploadBytes).toBe(5 * 1024 * 1024);
    expect(
      loadConfig({ env: { DLB_CONFIG: file }, cwd: dir, overrides: { http: { port: 1 } } }).http.port,
    ).toBe(1);
  });

  it('names the field and the file when something is wrong', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ mqtt: { mode: 'carrier-pigeon' } }));
    expect(() => loadConfig({ env: { DLB_CONFIG: file }, cwd: dir })).toThrow(/bad\.json.*mqtt\.mode/);
    writeFileSync(file, '{ not json');
    expect(() => loadConfig({ env: { DLB_CONFIG: file }, cwd: dir })).toThrow(/不是合法的 JSON/);
    expect(() => loadConfig({ env: { DLB_HTTP_PORT: 'eighty' }, cwd: dir })).toThrow(/DLB_HTTP_PORT/);
    expect(() => loadConfig({ env: { DLB_CONFIG: path.join(dir, 'missing.json') }, cwd: dir })).toThrow(
      /不存在/,
    );
    expect(() => loadConfig({ env: { DLB_ADMIN_PASSWORD: 'short' }, cwd: dir })).toThrow(
      /auth\.adminPassword/,
    );
  });
});

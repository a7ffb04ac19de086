import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicFile.ts';

/** Chromium's content-settings pattern for the bridge at any port (the port changes every launch). */
const BRIDGE_PATTERN = 'http://127.0.0.1:*,*';
const ALLOW = 1;

type Json = Record<string, unknown>;

function child(parent: Json, key: string): Json {
  const value = parent[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  const created: Json = {};
  parent[key] = created;
  return created;
}

/**
 * Lets the app's own windows show system notifications without a permission prompt: the browser
 * profile is ours alone, and a chat app that must first be allowed to notify misses the messages
 * that matter. A choice the user made in the browser (block) is kept.
 */
export async function allowBridgeNotifications(userDataDir: string): Promise<void> {
  const file = join(userDataDir, 'Default', 'Preferences');
  let preferences: Json = {};
  try {
    preferences = JSON.parse(await readFile(file, 'utf8')) as Json;
  } catch {
    // No profile yet (first launch) or an unreadable one: Chromium fills in the rest.
  }
  const exceptions = child(child(child(preferences, 'profile'), 'content_settings'), 'exceptions');
  const notifications = child(exceptions, 'notifications');
  if (BRIDGE_PATTERN in notifications) return;
  notifications[BRIDGE_PATTERN] = { setting: ALLOW };
  await writeFileAtomic(file, JSON.stringify(preferences));
}

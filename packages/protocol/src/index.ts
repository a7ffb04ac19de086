export * from './bridge.ts';
export * from './errors.ts';
export * from './im.ts';
export * from './oauth.ts';
export * from './qr.ts';
export * from './realtime.ts';
export * from './rest.ts';
export * from './tasks.ts';
